import ADECore
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// Every token fault of the simulator, end to end: a synced token, the fault, the failed run and the state it gives,
/// then the fault removed and the state cleared by the next run — with the devices kept throughout.
struct TokenStateEndToEndTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var apply: @Sendable (inout SimulatedFaults) -> Void
        var code: String
        var state: TokenState
        var severity: Severity
        /// Failed runs before the state shows (network and 5xx failures need a streak).
        var runs = 1
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(
            name: "terms not accepted",
            apply: { $0.termsNotAccepted = true },
            code: "terms_not_signed",
            state: .termsNotAccepted,
            severity: .error
        ),
        Fault(
            name: "revoked or superseded",
            apply: { $0.tokenRevoked = true },
            code: "token_rejected",
            state: .rejected,
            severity: .error
        ),
        Fault(
            name: "access denied",
            apply: { $0.accessDenied = true },
            code: "access_denied",
            state: .accessDenied,
            severity: .error
        ),
        Fault(
            name: "forbidden",
            apply: { $0.forbidden = true },
            code: "forbidden",
            state: .forbidden,
            severity: .error
        ),
        Fault(
            name: "Apple answers 503",
            apply: { $0.serverErrorRate = 1 },
            code: "server_error",
            state: .appleUnavailable,
            severity: .warning,
            runs: 3
        ),
        Fault(
            name: "throttled",
            apply: { $0.throttle = SimulatedFaults.Throttle(rate: 1, retryAfterSeconds: 5, retryAfterAsDate: false) },
            code: "throttled",
            state: .throttled,
            severity: .warning
        ),
        Fault(
            name: "connection reset",
            apply: { $0.connectionResetRate = 1 },
            code: "unreachable",
            state: .cannotReachApple,
            severity: .error,
            runs: 3
        ),
    ]

    @Test(arguments: faults)
    func aFaultGivesItsStateAndClearsWithIt(_ fault: Fault) async throws {
        try await TokenSyncerTests.withSyncer(devices: 1500) { harness, syncer, store, token in
            let uuid = harness.simulator.defaultServerUUID
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await TokenHealth.evaluate(token, store: store, now: Date()).state == .healthy)

            var faults = SimulatedFaults()
            fault.apply(&faults)
            try harness.simulator.setFaults(faults, server: uuid)
            // The fault holds whether a session is open (a run in the middle of the day) or not (after a restart).
            harness.simulator.forgetSessions()
            for attempt in 1...fault.runs {
                await #expect(throws: DEPError.self) { try await syncer.run(token, holder: TokenSyncerTests.holder) }
                if attempt < fault.runs {
                    // Below the streak, the token says a problem is being confirmed from the first failed run
                    // (never "Healthy"); no alert is sent for it.
                    #expect(
                        try await TokenHealth.evaluate(token, store: store, now: Date()).state == .problemConfirming
                    )
                }
            }
            let failed = try await TokenHealth.evaluate(token, store: store, now: Date())
            #expect(failed.errorCode == fault.code)
            #expect(failed.state == fault.state)
            #expect(failed.severity == fault.severity)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 1500, "nothing lost")

            try harness.simulator.setFaults(SimulatedFaults(), server: uuid)
            #expect(try await syncer.run(token, holder: TokenSyncerTests.holder).outcome == .succeeded)
            let cleared = try await TokenHealth.evaluate(token, store: store, now: Date())
            #expect(cleared.state == .healthy, "the state clears by itself with the next successful call")
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 1500)
            // The changes of state announced: first record, into the fault's state (through "being confirmed" for a
            // fault that needs a streak), out of it.
            let changes = try await store.events(after: 0, limit: 10_000).filter { $0.kind == .tokenStateChanged }
            #expect(changes.count == (fault.runs > 1 ? 4 : 3))
            #expect(changes.dropLast().last?.body.contains(#""to":"\#(fault.state.rawValue)""#) == true)
            #expect(
                changes.last?.body.contains(#""from":"\#(fault.state.rawValue)","severity":"ok","to":"healthy""#)
                    == true
            )
            #expect(
                fault.state.entry.clearsByItself
                    == (fault.state != .rejected && fault.state != .accessDenied && fault.state != .forbidden)
            )
        }
    }

    @Test func termsPublishedInABMBlockEveryTokenOfTheOrganisationUntilAccepted() async throws {
        try await TokenSyncerTests.withSyncer(devices: 100) { harness, syncer, store, token in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            harness.simulator.publishTerms()
            await #expect(throws: DEPError(.termsNotSigned, endpoint: "")) {
                try await syncer.run(token, holder: TokenSyncerTests.holder)
            }
            #expect(try await TokenHealth.evaluate(token, store: store, now: Date()).state == .termsNotAccepted)
            harness.simulator.acceptTerms()
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await TokenHealth.evaluate(token, store: store, now: Date()).state == .healthy)
        }
    }

    @Test func aSkewedLocalClockIsClockSkewNotABadToken() async throws {
        try await TokenSyncerTests.withSyncerAndService(devices: 100) { harness, syncer, service, store, token in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let skewed = ManualTimeSource(now: Date().addingTimeInterval(3600))
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none), timeSource: skewed) {
                client in
                let skewedSyncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: SystemTimeSource(),
                    logger: SimulatorHarness.quietLogger
                )
                await #expect(throws: DEPError(.clockSkew, endpoint: "")) {
                    try await skewedSyncer.run(token, holder: TokenSyncerTests.holder)
                }
            }
            let health = try await TokenHealth.evaluate(token, store: store, now: Date())
            #expect(health.state == .clockSkew && health.details["count"] == 60, "never reported as a bad token")
            #expect(health.text(tokenName: token.name, locale: .english).cause.contains("60 minutes away"))
            // The clock is put right: the same token syncs again.
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await TokenHealth.evaluate(token, store: store, now: Date()).state == .healthy)
        }
    }

    @Test func anExpiredTokenIsExpiredAndARenewalClearsIt() async throws {
        try await TokenSyncerTests.withSyncerAndService(devices: 100) { harness, syncer, service, store, token in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let expiry = try #require(token.accessTokenExpiry)
            // A year and a day later, on both sides.
            harness.simulator.advanceClock(by: 366 * 86_400)
            let later = expiry.addingTimeInterval(86_400)
            await #expect(throws: DEPError.self) { try await syncer.run(token, holder: TokenSyncerTests.holder) }
            let expired = try await TokenHealth.evaluate(token, store: store, now: later)
            #expect(expired.state == .expired && expired.severity == .error)

            // The admin downloads a new token for the same MDM server in ABM and renews: devices kept, state clears.
            let file = Array(
                try harness.simulator.downloadToken(server: harness.simulator.defaultServerUUID).contents.utf8
            )
            let renewed = try await service.upload(name: token.name, file: file).token
            #expect(renewed.id == token.id)
            #expect(try #require(renewed.accessTokenExpiry) > later)
            #expect(try await syncer.run(renewed, holder: TokenSyncerTests.holder).outcome == .succeeded)
            #expect(try await TokenHealth.evaluate(renewed, store: store, now: Date()).state == .healthy)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 100)
        }
    }
}
