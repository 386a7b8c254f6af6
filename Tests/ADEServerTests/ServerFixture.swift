import ADECore
import ADENotify
import ADESQLite
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import ADEServer

/// A server on an in-memory SQLite store with two tokens enrolled through the real path against the simulator:
/// "Healthy" (synced, 1,200 devices) and "Rejected" (Apple revoked it; its last sync failed).
struct ServerFixture: Sendable {
    let harness: SimulatorHarness
    let registry: PrometheusCollectorRegistry
    let store: any ADEStore
    let tokens: TokenService
    let scheduler: SyncScheduler?
    let timeSource: ManualTimeSource
    let configuration: ServerConfiguration
    let access: AccessService

    static let setupToken = "setup-token-for-tests"
    static let password = "correct horse battery"

    var dependencies: ServerDependencies {
        let simulatorURL = harness.baseURL
        return ServerDependencies(
            store: store,
            tokens: tokens,
            scheduler: scheduler,
            timeSource: timeSource,
            defaultServiceURL: { simulatorURL },
            metrics: registry,
            simulatorControl: { simulatorURL.appendingPathComponent("control") },
            webhooks: WebhookService(
                store: store,
                box: tokens.secretBox,
                timeSource: timeSource,
                logger: SimulatorHarness.quietLogger
            ),
            testWebhook: WebhookDeliveryService(
                store: store,
                box: tokens.secretBox,
                timeSource: timeSource,
                logger: SimulatorHarness.quietLogger
            ).testChannel,
            alertChannels: AlertChannelService(
                store: store,
                box: tokens.secretBox,
                timeSource: timeSource,
                logger: SimulatorHarness.quietLogger
            )
        )
    }

    /// Runs `body` with a fixture; `withScheduler` adds a sync engine (not running) for "sync now"; `defaultProfiles`
    /// gives both tokens a default profile (without one, a token with devices is in `no_default_profile`).
    static func with(
        withScheduler: Bool = false,
        enroll: Bool = true,
        defaultProfiles: Bool = true,
        _ body: @escaping @Sendable (ServerFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = SimulatorConfiguration(
            servers: [.init(name: "Healthy", devices: 1200), .init(name: "Rejected", devices: 300)]
        )
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = try SQLiteStore.inMemory()
                let service = harness.tokenService(store: store, client: client)
                let registry = PrometheusCollectorRegistry()
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: SystemTimeSource(),
                    metrics: SyncMetrics(factory: PrometheusMetricsFactory(registry: registry)),
                    logger: SimulatorHarness.quietLogger
                )
                if enroll {
                    let healthy = try await harness.enroll("Healthy", server: 0, with: service)
                    let rejected = try await harness.enroll("Rejected", server: 1, with: service)
                    if defaultProfiles {
                        try await harness.defineDefaultProfile(for: healthy, store: store, tokens: service)
                        try await harness.defineDefaultProfile(for: rejected, store: store, tokens: service)
                    }
                    _ = try await syncer.run(healthy, holder: .current())
                    _ = try await syncer.run(rejected, holder: .current())
                    try harness.simulator.revoke(server: harness.simulator.servers[1].uuid)
                    _ = try? await syncer.run(rejected, holder: .current())
                }
                let timeSource = ManualTimeSource(now: Date())
                let scheduler =
                    withScheduler
                    ? SyncScheduler(
                        store: store,
                        syncer: syncer,
                        timeSource: timeSource,
                        logger: SimulatorHarness.quietLogger
                    ) : nil
                let serverConfiguration = ServerConfiguration(passwordCost: 4, setupToken: setupToken)
                let access = AccessService(store: store, hasher: PasswordHasher(cost: 4), timeSource: timeSource)
                let fixture = ServerFixture(
                    harness: harness,
                    registry: registry,
                    store: store,
                    tokens: service,
                    scheduler: scheduler,
                    timeSource: timeSource,
                    configuration: serverConfiguration,
                    access: access
                )
                let router = try await buildRouter(
                    configuration: serverConfiguration,
                    dependencies: fixture.dependencies
                )
                let application = Application(router: router, logger: SimulatorHarness.quietLogger)
                try await application.test(.router) { client in
                    try await body(fixture, client)
                }
            }
        }
    }

    /// Adds the user `admin` and signs in; returns the session cookie and its anti-forgery token.
    func signIn(_ client: some TestClientProtocol) async throws -> Session {
        if try await store.user(named: "admin") == nil {
            try await access.addUser(name: "admin", password: Self.password)
        }
        let form = try await signInForm(client)
        let response = try await client.execute(
            uri: "/login",
            method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: form.cookie],
            body: ByteBuffer(string: "name=admin&password=\(Self.password.queryEscaped)&next=%2F&csrf=\(form.csrf)")
        )
        #expect(response.status == .seeOther || response.status == .found)
        let cookie = try #require(response.headers[.setCookie])
        let value = try #require(cookie.split(separator: ";").first)
        let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: String(value)])
        let html = String(buffer: page.body)
        let csrf = try #require(html.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        return Session(cookie: String(value), csrf: String(csrf))
    }

    /// Opens the sign-in page: its anti-forgery cookie (`ade_signin=…`) and the form's matching field.
    func signInForm(_ client: some TestClientProtocol) async throws -> Session {
        let page = try await client.execute(uri: "/login", method: .get)
        let cookie = try #require(page.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/login"))
        let value = try #require(cookie.split(separator: ";").first)
        let csrf = try #require(String(buffer: page.body).firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        return Session(cookie: String(value), csrf: String(csrf))
    }

    struct Session {
        /// `ade_session=…`, for a `Cookie` header.
        var cookie: String
        var csrf: String
    }
}
