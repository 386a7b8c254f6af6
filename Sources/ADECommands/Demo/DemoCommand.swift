import ADECore
import ADENotify
import ADESQLite
import ADEServer
import ADESupport
import ArgumentParser
import AsyncHTTPClient
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `ade demo`: the simulator and the server side by side on SQLite in a temporary folder, with a sample organisation
/// whose tokens are in every state an admin meets, syncing live. Ctrl-C stops everything and removes the folder.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try ade: the console with a simulated Apple service and sample tokens in every state.",
        discussion: """
            Prints the console's URL and a generated admin password. The simulator's Apple Business Manager page \
            (/abm) gives new tokens for the renew wizard. Nothing outside the temporary folder is touched.
            """
    )

    @Option(name: .long, help: "HOST:PORT of the console. Default 127.0.0.1:8080; :0 picks a free port.")
    var listen: String = "127.0.0.1:8080"
    @Option(name: .long, help: "trace, debug, info, notice, warning or error.") var logLevel: String = "warning"
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let (host, port) = try ServeCommand.address(listen)
            var configured = Logger(label: "ade.demo") { StreamLogHandler.standardError(label: $0) }
            configured.logLevel = try ServeCommand.level(logLevel)
            let logger = configured
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "ade-demo-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }

            let databasePath = directory.appendingPathComponent("ade.sqlite").path
            let store = try SQLiteStore(path: databasePath)
            let (key, _) = try await MasterKeyLoader.load(
                environment: [:],
                keyFilePath: MasterKeyLoader.keyFilePath(forDatabase: databasePath),
                store: store
            )
            let transport = try HTTPClientTransport()
            let registry = PrometheusCollectorRegistry()
            let metrics = SyncMetrics(factory: PrometheusMetricsFactory(registry: registry))
            let client = DEPClient(transport: MeteredTransport(transport, metrics: metrics), logger: logger)
            let service = TokenService(
                store: store,
                box: SecretBox(key: key),
                client: client,
                timeSource: SystemTimeSource(),
                allowCustomURL: true,
                logger: logger
            )
            let syncer = TokenSyncer(
                store: store,
                tokens: service,
                client: client,
                timeSource: SystemTimeSource(),
                metrics: metrics,
                assigner: ProfileAssigner(store: store, client: client, timeSource: SystemTimeSource(), logger: logger),
                logger: logger
            )
            let holder = TokenSyncer.Holder.current()
            let scheduler = SyncScheduler(
                store: store,
                syncer: syncer,
                timeSource: SystemTimeSource(),
                configuration: SyncScheduler.Configuration(interval: 120, startJitter: 2),
                holder: holder,
                logger: logger
            )

            let simulator = DemoOrganisation.simulator(logger: logger)
            let ports = DemoPorts()
            let simulatorApplication = simulator.application(host: "127.0.0.1", port: 0) { ports.simulator($0) }
            let password = String(AccessSecret.random().prefix(20))
            let (webhooks, alertChannels, delivery) = WebhookDeliveryService.serving(
                store: store,
                box: service.secretBox,
                consoleURL: nil,
                logger: logger
            )
            let server = try await buildApplication(
                configuration: ServerConfiguration(host: host, port: port),
                dependencies: ServerDependencies(
                    store: store,
                    tokens: service,
                    scheduler: scheduler,
                    timeSource: SystemTimeSource(),
                    defaultServiceURL: { ports.simulatorURL },
                    metrics: registry,
                    simulatorControl: { ports.simulatorURL?.appendingPathComponent("control") },
                    webhooks: webhooks,
                    testWebhook: delivery.testChannel,
                    alertChannels: alertChannels
                ),
                logger: logger
            ) { ports.console($0) }
            let seeder = DemoSeeder(
                ports: ports,
                scheduler: scheduler,
                syncer: syncer,
                simulator: simulator,
                service: service,
                store: store,
                password: password,
                host: host,
                databasePath: databasePath,
                locale: locale
            )
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(service: simulatorApplication),
                        .init(service: server),
                        .init(service: scheduler),
                        .init(
                            service: HealthMonitor(
                                store: store,
                                timeSource: SystemTimeSource(),
                                configuration: HealthMonitor.Configuration(interval: .seconds(10)),
                                logger: logger
                            )
                        ),
                        .init(service: delivery),
                        // The demo is one node: the console's Nodes table shows it as a cluster's would.
                        .init(
                            service: NodeHeartbeat(
                                store: store,
                                id: holder.name,
                                address: {
                                    ports.consolePort.map {
                                        ServeCommand.nodeAddress(ServerConfiguration(host: host, port: $0), port: $0)
                                    }
                                },
                                version: ADE.version,
                                timeSource: SystemTimeSource(),
                                logger: logger
                            )
                        ),
                        .init(service: seeder, successTerminationBehavior: .ignore),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            do {
                try await CommandError.serving(listen) { try await group.run() }
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
            Console.current.line(MessageCatalogue.bundled.string(.demoStopped, locale: locale))
        }
    }
}

/// The ports the simulator and the console listen on, once they do.
final class DemoPorts: Sendable {
    private struct State {
        var simulator: Int?
        var console: Int?
        var waiters: [Int: CheckedContinuation<(Int, Int)?, Never>] = [:]
        var nextWaiter = 0
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    func simulator(_ port: Int) { update { $0.simulator = port } }

    /// The simulator's URL once it listens: tokens added in the demo's console point there.
    var simulatorURL: URL? {
        state.withLock { state in state.simulator.flatMap { URL(string: "http://127.0.0.1:\($0)") } }
    }
    func console(_ port: Int) { update { $0.console = port } }

    /// The console's port once it listens.
    var consolePort: Int? { state.withLock { $0.console } }

    private func update(_ change: (inout State) -> Void) {
        let ready = state.withLock { state -> ((Int, Int), [CheckedContinuation<(Int, Int)?, Never>])? in
            change(&state)
            guard let simulator = state.simulator, let console = state.console else { return nil }
            defer { state.waiters = [:] }
            return ((simulator, console), Array(state.waiters.values))
        }
        if let (ports, waiters) = ready { for waiter in waiters { waiter.resume(returning: ports) } }
    }

    /// Both ports, once both listen; nil when the task is cancelled first (a port was taken, or Ctrl-C), so that the
    /// demo stops instead of waiting for a listener that never comes.
    func both() async -> (simulator: Int, console: Int)? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<(Int, Int)?, Never>) in
                let ready = state.withLock { state -> (Int, Int)?? in
                    if state.cancelled.contains(id) { return .some(nil) }
                    if let simulator = state.simulator, let console = state.console { return (simulator, console) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.cancelled.insert(id)
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume(returning: nil)
        }
    }
}

/// Once both listen: enrolls the sample tokens, creates the admin, prints where to go.
struct DemoSeeder: Service {
    let ports: DemoPorts
    let scheduler: SyncScheduler
    let syncer: TokenSyncer
    let simulator: DEPSimulator
    let service: TokenService
    let store: any ADEStore
    let password: String
    let host: String
    let databasePath: String
    let locale: MessageLocale

    /// Stops at a graceful shutdown (Ctrl-C, SIGTERM) or when another service fails (a port in use), whether it is
    /// still waiting for the listeners or enrolling the tokens.
    func run() async throws {
        try await cancelWhenGracefulShutdown { try await seed() }
    }

    private func seed() async throws {
        guard let (simulatorPort, consolePort) = await ports.both() else { return }
        let simulatorURL = URL(string: "http://127.0.0.1:\(simulatorPort)")!
        let logger = Logger(label: "ade.demo") { _ in SwiftLogNoOpLogHandler() }
        let profiles = ProfileService(
            tokens: service,
            assigner: ProfileAssigner(
                store: store,
                client: service.client,
                timeSource: SystemTimeSource(),
                logger: logger
            ),
            timeSource: SystemTimeSource(),
            logger: logger
        )
        try await DemoOrganisation.enroll(
            simulator: simulator,
            baseURL: simulatorURL,
            service: service,
            profiles: profiles
        ) { token in
            _ = try await syncer.run(token, holder: .current())
        }
        _ = try await AccessService(store: store, hasher: PasswordHasher(), timeSource: SystemTimeSource())
            .addUser(name: "admin", password: password)
        for token in try await store.tokens() { scheduler.tokenChanged(tokenID: token.id) }
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let catalogue = MessageCatalogue.bundled
        Console.current.line(
            catalogue.string(
                .demoReady,
                locale: locale,
                [
                    "url": .string("http://\(shownHost):\(consolePort)"), "user": .string("admin"),
                    "password": .string(password), "abm": .string("\(simulatorURL.absoluteString)/abm"),
                    "database": .string(databasePath),
                ]
            )
        )
    }
}
