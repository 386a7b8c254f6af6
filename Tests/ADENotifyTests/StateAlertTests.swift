import ADECore
import ADETesting
import Crypto
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import ServerToken
import Synchronization
import Testing

@testable import ADENotify

/// A test per token state: the simulator's fault (or the test clock) puts a synced token in the state; the state is
/// the expected one, its catalogue entry reads completely in every language, an alert channel receives exactly one
/// alert for it, and — once the cause is gone — exactly one more saying the token is healthy again.
@Suite(.timeLimit(.minutes(5)))
struct StateAlertTests {
    /// A token of 40 simulated devices with a default profile, synced on a manual clock, and a signed webhook
    /// channel to a live receiver.
    final class World: Sendable {
        let harness: SimulatorHarness
        let store: any ADEStore
        let service: TokenService
        let client: DEPClient
        let clock: ManualTimeSource
        let token: EnrollmentToken
        let delivery: WebhookDeliveryService
        let receiver: AlertChannelTests.Receiver

        init(
            harness: SimulatorHarness,
            store: any ADEStore,
            service: TokenService,
            client: DEPClient,
            clock: ManualTimeSource,
            token: EnrollmentToken,
            delivery: WebhookDeliveryService,
            receiver: AlertChannelTests.Receiver
        ) {
            self.harness = harness
            self.store = store
            self.service = service
            self.client = client
            self.clock = clock
            self.token = token
            self.delivery = delivery
            self.receiver = receiver
        }

        var uuid: String { harness.simulator.defaultServerUUID }

        func syncer(maximumPages: Int = 20_000, pageLimit: Int = 1000) -> TokenSyncer {
            TokenSyncer(
                store: store,
                tokens: service,
                client: client,
                timeSource: clock,
                configuration: TokenSyncer.Configuration(pageLimit: pageLimit, maximumPages: maximumPages),
                assigner: ProfileAssigner(
                    store: store,
                    client: client,
                    timeSource: clock,
                    logger: SimulatorHarness.quietLogger
                ),
                logger: SimulatorHarness.quietLogger
            )
        }

        var monitor: HealthMonitor {
            HealthMonitor(store: store, timeSource: clock, logger: SimulatorHarness.quietLogger)
        }

        /// A run that must fail, `times` times.
        func fail(times: Int = 1, _ syncer: TokenSyncer? = nil) async {
            for _ in 0..<times {
                await #expect(throws: (any Error).self) {
                    try await (syncer ?? self.syncer()).run(self.token, holder: .current())
                }
            }
        }

        func sync() async throws {
            #expect(try await syncer().run(token, holder: .current()).outcome == .succeeded)
        }

        func setFaults(_ change: (inout SimulatedFaults) -> Void) throws {
            var faults = try harness.simulator.faults(server: uuid)
            change(&faults)
            try harness.simulator.setFaults(faults, server: uuid)
            harness.simulator.forgetSessions()
        }

        /// The token's state now, as stored now.
        func health() async throws -> TokenHealth {
            let current = try #require(try await store.token(id: token.id))
            return try await TokenHealth.evaluate(current, store: store, now: clock.now())
        }

        /// The alerts the channel received, as their `alert` objects.
        func alerts() async throws -> [[String: Any]] {
            _ = try await delivery.deliverPending()
            return receiver.received("hook").compactMap { $0["alert"] as? [String: Any] }
        }
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var state: TokenState
        var breakIt: @Sendable (World) async throws -> Void
        var fixIt: @Sendable (World) async throws -> Void
        var testDescription: String { state.rawValue }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            state: .termsNotAccepted,
            breakIt: { world in
                world.harness.simulator.publishTerms()
                await world.fail()
            },
            fixIt: { world in
                world.harness.simulator.acceptTerms()
                try await world.sync()
            }
        ),
        Scenario(
            state: .rejected,
            breakIt: { world in
                try world.setFaults { $0.tokenRevoked = true }
                await world.fail()
            },
            fixIt: { world in
                try world.setFaults { $0.tokenRevoked = false }
                try await world.sync()
            }
        ),
        Scenario(
            state: .accessDenied,
            breakIt: { world in
                try world.setFaults { $0.accessDenied = true }
                await world.fail()
            },
            fixIt: { world in
                try world.setFaults { $0.accessDenied = false }
                try await world.sync()
            }
        ),
        Scenario(
            state: .forbidden,
            breakIt: { world in
                try world.setFaults { $0.forbidden = true }
                await world.fail()
            },
            fixIt: { world in
                try world.setFaults { $0.forbidden = false }
                try await world.sync()
            }
        ),
        Scenario(
            state: .appleUnavailable,
            breakIt: { world in
                try world.setFaults { $0.serverErrorRate = 1 }
                await world.fail(times: 3)
            },
            fixIt: { world in
                try world.setFaults { $0.serverErrorRate = 0 }
                try await world.sync()
            }
        ),
        Scenario(
            state: .cannotReachApple,
            breakIt: { world in
                try world.setFaults { $0.connectionResetRate = 1 }
                await world.fail(times: 3)
            },
            fixIt: { world in
                try world.setFaults { $0.connectionResetRate = 0 }
                try await world.sync()
            }
        ),
        Scenario(
            state: .throttled,
            breakIt: { world in
                try world.setFaults {
                    $0.throttle = SimulatedFaults.Throttle(rate: 1, retryAfterSeconds: 5, retryAfterAsDate: false)
                }
                await world.fail()
            },
            fixIt: { world in
                try world.setFaults { $0.throttle = nil }
                try await world.sync()
            }
        ),
        Scenario(
            state: .clockSkew,
            breakIt: { world in
                // This computer's clock an hour ahead: Apple refuses the signature.
                let skewed = ManualTimeSource(now: Date().addingTimeInterval(3600))
                try await world.harness.withClient(
                    configuration: DEPClient.Configuration(retry: .none),
                    timeSource: skewed
                ) {
                    client in
                    let syncer = TokenSyncer(
                        store: world.store,
                        tokens: world.service,
                        client: client,
                        timeSource: world.clock,
                        logger: SimulatorHarness.quietLogger
                    )
                    await world.fail(syncer)
                }
            },
            fixIt: { world in try await world.sync() }
        ),
        Scenario(
            state: .cursorRecovery,
            breakIt: { world in
                // Apple refuses the cursor; the full fetch that replaces it stops after a page (as a restart would).
                try world.harness.simulator.invalidateCursors(server: world.uuid)
                await world.fail(world.syncer(maximumPages: 1, pageLimit: 10))
            },
            fixIt: { world in try await world.sync() }
        ),
        Scenario(
            state: .assignmentsFailing,
            breakIt: { world in
                // Ten new devices that Apple refuses to assign: 20 % of the token's devices.
                try world.setFaults { $0.assignFailureRate = 1 }
                try world.harness.simulator.churn(server: world.uuid, added: 10)
                try await world.sync()
            },
            fixIt: { world in
                // Apple accepts again; after the cooldown the next sync retries them.
                try world.setFaults { $0.assignFailureRate = 0 }
                world.clock.advance(by: 25 * 3600)
                try await world.sync()
            }
        ),
        Scenario(
            state: .noDefaultProfile,
            breakIt: { world in
                try await world.store.setDefaultProfile(tokenID: world.token.id, family: nil, profileID: nil)
                try await world.monitor.evaluate()
            },
            fixIt: { world in
                let profile = try #require(try await world.store.profiles(tokenID: world.token.id).first)
                try await world.store.setDefaultProfile(tokenID: world.token.id, family: nil, profileID: profile.id)
                try await world.monitor.evaluate()
            }
        ),
        Scenario(
            state: .expired,
            breakIt: { world in
                // A year and a day later, on both sides.
                world.harness.simulator.advanceClock(by: 366 * 86_400)
                world.clock.advance(by: 366 * 86_400)
                await world.fail()
            },
            fixIt: { world in
                // The admin downloads a new token in ABM and renews.
                let file = Array(try world.harness.simulator.downloadToken(server: world.uuid).contents.utf8)
                _ = try await world.service.upload(name: world.token.name, file: file)
                try await world.sync()
            }
        ),
        Scenario(
            state: .syncStalled,
            breakIt: { world in
                world.clock.advance(by: 25 * 3600)
                try await world.monitor.evaluate()
            },
            fixIt: { world in try await world.sync() }
        ),
    ]

    @Test(arguments: scenarios)
    func aStateGivesOneAlertAndItsEndAnother(_ scenario: Scenario) async throws {
        try await Self.withWorld { world in
            try await world.sync()
            #expect(try await world.alerts().isEmpty, "a healthy first sync alerts nobody")

            try await scenario.breakIt(world)
            let health = try await world.health()
            #expect(health.state == scenario.state)
            #expect(health.severity == scenario.state.entry.severity || scenario.state == .expiring)
            for locale in MessageCatalogue.bundled.locales {
                let text = health.text(tokenName: world.token.name, locale: locale)
                #expect(text.title == MessageCatalogue.bundled.string(scenario.state.titleKey, locale: locale))
                #expect(text.steps.count == scenario.state.entry.stepCount)
                for line in [text.cause, text.impact] + text.steps {
                    #expect(!line.contains("{") && !line.contains("state."), "\(locale): \(line)")
                }
            }
            var alerts = try await world.alerts()
            #expect(alerts.count == 1, "exactly one alert for the new state")
            #expect(alerts.first?["state"] as? String == scenario.state.rawValue)
            #expect(alerts.first?["severity"] as? String == health.severity.rawValue)
            #expect((alerts.first?["steps"] as? [String])?.count == scenario.state.entry.stepCount)

            try await scenario.fixIt(world)
            #expect(try await world.health().state == .healthy)
            alerts = try await world.alerts()
            #expect(alerts.count == 2, "exactly one more alert: healthy again")
            #expect(alerts.last?["resolved"] as? Bool == true && alerts.last?["state"] as? String == "healthy")
        }
    }

    @Test func aNewTokensFirstStepsAlertNobody() async throws {
        try await Self.withWorld { world in
            // A second token, created: awaiting upload, then uploaded: never synced, then synced: healthy.
            let (_, certificate) = try await world.service.create(name: "Second", baseURL: world.harness.baseURL)
            let uuid = world.harness.simulator.addServer(name: "Second", devices: 5).uuid
            try await world.monitor.evaluate()
            try world.harness.simulator.uploadCertificate(pem: certificate.pemRepresentation, server: uuid)
            let file = Array(try world.harness.simulator.downloadToken(server: uuid).contents.utf8)
            let second = try await world.service.upload(name: "Second", file: file).token
            try await world.monitor.evaluate()
            #expect(try await world.store.token(id: second.id)?.recordedState == .neverSynced)
            _ = try await world.syncer().run(second, holder: .current())
            let states = try await world.store.transitions(tokenID: second.id, limit: 5).map(\.to)
            #expect(states == [.noDefaultProfile, .neverSynced, .awaitingUpload])
            let alerts = try await world.alerts()
            #expect(
                alerts.map { $0["state"] as? String } == ["no_default_profile"],
                "only the state that needs someone"
            )
        }
    }

    @Test func theExpiryLadderSendsOneReminderPerStep() async throws {
        try await Self.withWorld { world in
            try await world.sync()
            let expiry = try #require(world.token.accessTokenExpiry)
            for daysLeft in [29.5, 13.5, 6.5, 0.5] {
                world.clock.set(expiry.addingTimeInterval(-daysLeft * 86_400))
                try await world.sync()
                try await world.monitor.evaluate()
                try await world.monitor.evaluate()
            }
            let alerts = try await world.alerts()
            #expect(alerts.count == 4, "one reminder per step, and no separate alert for healthy → expiring")
            #expect(alerts.allSatisfy { $0["state"] as? String == "expiring" })
            #expect(alerts.map { $0["severity"] as? String } == ["warning", "warning", "error", "error"])
            let received = world.receiver.received("hook").map { $0["type"] as? String }
            #expect(received == Array(repeating: "token.expiry_reminder", count: 4))
        }
    }

    static func withWorld(_ body: @escaping @Sendable (World) async throws -> Void) async throws {
        let receiver = AlertChannelTests.Receiver()
        let application = Application(
            router: receiver.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await application.test(.live) { http in
            try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Campus", devices: 40)])) {
                harness in
                try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                    let store: any ADEStore = MemoryStore()
                    let service = harness.tokenService(store: store, client: client)
                    let token = try await harness.enroll("Campus", with: service)
                    try await harness.defineDefaultProfile(for: token, store: store, tokens: service)
                    let clock = ManualTimeSource(now: Date())
                    let (_, secret) = try await AlertChannelService(
                        store: store,
                        box: service.secretBox,
                        timeSource: clock,
                        logger: SimulatorHarness.quietLogger
                    ).add(
                        name: "SIEM",
                        kind: .webhook,
                        url: "http://127.0.0.1:\(http.port!)/hook",
                        locale: MessageLocale("de"),
                        allowsPrivateNetwork: true
                    )
                    receiver.secret.withLock { $0 = secret.map { SymmetricKey(data: Data($0.utf8)) } }
                    let delivery = WebhookDeliveryService(
                        store: store,
                        box: service.secretBox,
                        timeSource: clock,
                        logger: SimulatorHarness.quietLogger
                    )
                    try await body(
                        World(
                            harness: harness,
                            store: store,
                            service: service,
                            client: client,
                            clock: clock,
                            token: token,
                            delivery: delivery,
                            receiver: receiver
                        )
                    )
                }
            }
        }
    }
}
