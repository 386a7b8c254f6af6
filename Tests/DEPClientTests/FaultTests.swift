import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Glibc
import InMemoryLogging
import Logging
import ServerToken
import Testing

/// Every fault the simulator injects, as the client classifies it, with the retries it makes (counted and spaced
/// on the injected clock) and the bound on every loop.
struct FaultTests {
    static let configuration = SimulatorConfiguration(servers: [.init(name: "Faulty", devices: 50)])

    /// A retry policy whose waits are exact (no jitter): 1, 2, 4, 8 … seconds.
    static let exactRetries = DEPClient.Configuration(
        retry: RetryPolicy(maximumAttempts: 4, initialBackoff: .seconds(1), maximumBackoff: .seconds(60), jitter: 0)
    )

    /// Sets faults on the default server.
    private static func inject(_ harness: SimulatorHarness, _ change: (inout SimulatedFaults) -> Void) throws {
        var faults = SimulatedFaults()
        change(&faults)
        try harness.simulator.setFaults(faults, server: harness.simulator.defaultServerUUID)
    }

    /// The error a call fails with.
    private static func error(of call: () async throws -> some Any) async -> DEPError? {
        do {
            _ = try await call()
            return nil
        } catch {
            return error as? DEPError
        }
    }

    // MARK: - Token and organisation states (terminal, never retried)

    @Test(arguments: [
        ("tokenRevoked", DEPError.Code.tokenRejected),
        ("termsNotAccepted", .termsNotSigned),
        ("accessDenied", .accessDenied),
        ("forbidden", .forbidden),
        ("tokenExpired", .tokenRejected),
    ])
    func tokenAndOrganisationFaultsAreTerminal(fault: String, code: DEPError.Code) async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { faults in
                switch fault {
                case "tokenRevoked": faults.tokenRevoked = true
                case "termsNotAccepted": faults.termsNotAccepted = true
                case "accessDenied": faults.accessDenied = true
                case "forbidden": faults.forbidden = true
                default: faults.tokenExpired = true
                }
            }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: Self.exactRetries, timeSource: clock) { client in
                let error = await Self.error { try await client.account(try harness.defaultServer) }
                #expect(error?.code == code)
                #expect(error?.code.isTransient == false)
                #expect(clock.sleeps.isEmpty, "terminal errors are never retried")
                #expect(error.map { !$0.description.contains("CS_") && !$0.description.contains("AS_") } == true)
            }
        }
    }

    @Test func anExpiredTokenIsReportedAsExpired() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            // A year and a day later: the simulator's token has expired, and so has the client's copy.
            harness.simulator.advanceClock(by: 366 * 86_400)
            var server = try harness.defaultServer
            server.credentials.accessTokenExpiry = Date().addingTimeInterval(-86_400)
            try await harness.withClient { client in
                let error = await Self.error { try await client.account(server) }
                #expect(error?.code == .tokenExpired)
                #expect(error?.status == 401)
                #expect(error?.appleBody?.contains("token_rejected") == true, "Apple's body is kept for details")
            }
        }
    }

    @Test func aSupersededTokenIsRejected() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            let old = try harness.defaultServer
            let pair = try TokenKeyPair.generate(notValidBefore: Date())
            let uuid = harness.simulator.defaultServerUUID
            try harness.simulator.uploadCertificate(pem: pair.certificate.pemRepresentation, server: uuid)
            let download = try harness.simulator.downloadToken(server: uuid)
            #expect(download.fileName.hasSuffix("_smime.p7m"))
            let renewed = try ServerTokenDecryptor(keyPair: pair).decrypt(Array(download.contents.utf8))
            #expect(renewed.consumerKey == old.credentials.consumerKey, "the same MDM server keeps its consumer key")
            #expect(renewed.accessToken != old.credentials.accessToken)
            try await harness.withClient { client in
                let error = await Self.error { try await client.account(old) }
                #expect(error?.code == .tokenRejected)
                var current = old
                current.credentials = renewed
                let account = try await client.account(current)
                #expect(account.serverUUID == uuid)
            }
        }
    }

    @Test func newTermsBlockAnOpenSessionUntilAccepted() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                _ = try await client.account(server)
                harness.simulator.publishTerms()
                let error = await Self.error { try await client.fetchDevices(server) }
                #expect(error?.code == .termsNotSigned)
                #expect(error?.status == 403)
                harness.simulator.acceptTerms()
                #expect(try await client.fetchDevices(server).devices.count == 50)
            }
        }
    }

    // MARK: - Sessions

    @Test func anExpiredSessionIsRenewedOnceTransparently() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                _ = try await client.account(server)
                harness.simulator.advanceClock(by: 31 * 60)  // Past the 30-minute session lifetime.
                _ = try await client.account(server)
                let info = try harness.simulator.server(server.name)
                #expect(info.sessionsOpened == 2)
            }
        }
    }

    @Test func aRotatedSessionIsAdopted() async throws {
        var configuration = Self.configuration
        configuration.rotateSessionEvery = 2
        configuration.sessionLifetimeSeconds = 60
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                for _ in 0..<6 {
                    _ = try await client.account(server)
                    // Each rotated session is used before the older one would expire.
                    harness.simulator.advanceClock(by: 40)
                }
                #expect(try harness.simulator.server(server.name).sessionsOpened == 1)
            }
        }
    }

    @Test func aForgottenSessionAnsweredForbiddenIsRenewedOnce() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.unknownSessionForbidden = true }
            try await harness.withClient { client in
                let server = try harness.defaultServer
                _ = try await client.account(server)
                harness.simulator.forgetSessions()  // depsim restarted: it answers 403 FORBIDDEN to the old session.
                #expect(try await client.account(server).serverName == "Faulty")
                #expect(try harness.simulator.server(server.name).sessionsOpened == 2)
            }
        }
    }

    @Test func aRevokedTokenIsReauthenticatedOnceThenRejected() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                _ = try await client.account(server)
                // The token was renewed in ABM by someone else: the session dies, and re-authentication is refused.
                try harness.simulator.revoke(server: server.name)
                let error = await Self.error { try await client.account(server) }
                #expect(error?.code == .tokenRejected)
                #expect(try harness.simulator.server(server.name).sessionsOpened == 1, "one re-authentication, no more")
            }
        }
    }

    // MARK: - Transient faults: retried with backoff, bounded

    @Test func throttlingHonoursRetryAfterSecondsAndStops() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.throttle = .init(rate: 1, retryAfterSeconds: 30) }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: Self.exactRetries, timeSource: clock) { client in
                let error = await Self.error { try await client.fetchDevices(try harness.defaultServer) }
                #expect(error?.code == .throttled)
                #expect(error?.status == 429)
                #expect(error?.retryAfter == .seconds(30))
                #expect(
                    clock.sleeps == [.seconds(30), .seconds(30), .seconds(30)],
                    "4 attempts, Retry-After each time"
                )
            }
        }
    }

    @Test func throttlingHonoursRetryAfterAsAnHTTPDate() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.throttle = .init(rate: 1, retryAfterSeconds: 120, retryAfterAsDate: true) }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: Self.exactRetries, timeSource: clock) { client in
                let error = await Self.error { try await client.account(try harness.defaultServer) }
                #expect(error?.code == .throttled)
                // Two waits of 120 s fit the 300 s deadline; a third would end past it.
                #expect(clock.sleeps.count == 2)
                for sleep in clock.sleeps {
                    // Measured from the answer's Date header, which has whole seconds and which Hummingbird refreshes
                    // from a once-a-second timer: on a loaded machine that timer lags (131 s measured with the whole
                    // suite running on 2 cores), so the header can be late by tens of seconds. Never the hours the
                    // manual clock's "now" would add.
                    #expect(sleep >= .seconds(110) && sleep <= .seconds(180), "\(sleep)")
                }
            }
        }
    }

    @Test func aRetryAfterBeyondTheDeadlineIsNotWaitedFor() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.throttle = .init(rate: 1, retryAfterSeconds: 3600) }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .default), timeSource: clock) {
                client in
                let error = await Self.error { try await client.account(try harness.defaultServer) }
                #expect(error?.code == .throttled)
                #expect(error?.retryAfter == .seconds(3600), "the caller learns when to come back")
                #expect(clock.sleeps.isEmpty)
            }
        }
    }

    @Test func serverErrorsBackOffExponentiallyAndStop() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) {
                $0.serverErrorRate = 1
                $0.serverErrorStatus = 500
            }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: Self.exactRetries, timeSource: clock) { client in
                let error = await Self.error { try await client.fetchDevices(try harness.defaultServer) }
                #expect(error?.code == .serverError)
                #expect(error?.status == 500)
                #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
            }
        }
    }

    @Test func jitterKeepsEveryWaitWithinItsBounds() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.serverErrorRate = 1 }
            let clock = ManualTimeSource()
            let configuration = DEPClient.Configuration(
                retry: RetryPolicy(
                    maximumAttempts: 6,
                    initialBackoff: .seconds(2),
                    maximumBackoff: .seconds(10),
                    jitter: 0.5
                )
            )
            try await harness.withClient(
                configuration: configuration,
                timeSource: clock,
                random: { Double.random(in: 0...1) }
            ) {
                client in
                _ = await Self.error { try await client.account(try harness.defaultServer) }
                let expected: [Double] = [2, 4, 8, 10, 10]
                #expect(clock.sleeps.count == expected.count)
                for (sleep, ceiling) in zip(clock.sleeps, expected) {
                    #expect(
                        sleep.timeInterval >= ceiling / 2 - 0.001 && sleep.timeInterval <= ceiling + 0.001,
                        "\(sleep)"
                    )
                }
            }
        }
    }

    @Test func intermittentServerErrorsAreRecoveredFrom() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try Self.inject(harness) { $0.serverErrorRate = 0.5 }
            let clock = ManualTimeSource()
            let configuration = DEPClient.Configuration(
                retry: RetryPolicy(maximumAttempts: 20, jitter: 0, totalDeadline: .seconds(100_000))
            )
            try await harness.withClient(configuration: configuration, timeSource: clock) { client in
                let server = try harness.defaultServer
                for _ in 0..<10 {
                    #expect(try await client.fetchDevices(server, limit: 5).devices.count == 5)
                }
                #expect(clock.sleeps.count < 10 * 19)
            }
        }
    }

    @Test func latencyBeyondTheRequestTimeoutIsATimeout() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in _ = try await client.account(try harness.defaultServer) }
            try Self.inject(harness) { $0.latencyMilliseconds = 600 }
            let clock = ManualTimeSource()
            let configuration = DEPClient.Configuration(
                requestTimeout: .milliseconds(150),
                retry: RetryPolicy(maximumAttempts: 2, initialBackoff: .seconds(1), jitter: 0)
            )
            try await harness.withClient(configuration: configuration, timeSource: clock) { client in
                let error = await Self.error { try await client.account(try harness.defaultServer) }
                #expect(error?.code == .timeout)
                #expect(clock.sleeps == [.seconds(1)])
            }
        }
    }

    @Test func aConnectionResetIsUnreachableAndRetried() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            let server = try harness.defaultServer
            try await harness.withClient { client in _ = try await client.account(server) }
            try Self.inject(harness) { $0.connectionResetRate = 1 }
            let clock = ManualTimeSource()
            try await harness.withClient(configuration: Self.exactRetries, timeSource: clock) { client in
                let error = await Self.error { try await client.account(server) }
                #expect(error?.code == .unreachable || error?.code == .timeout, "\(String(describing: error))")
                #expect(clock.sleeps.count == 3)
            }
        }
    }

    @Test func aClosedPortIsUnreachableNotAnAppleError() async throws {
        let clock = ManualTimeSource()
        var harnessless = try await SimulatorHarness.with(Self.configuration) { harness in
            try harness.defaultServer
        }
        // A port bound and never listened on refuses every connection, and no other test's server can take it
        // meanwhile (the simulator's own port, once freed, could be). async-http-client keeps trying to connect
        // until its connect timeout, so the test shortens it.
        let closed = try ClosedPort()
        defer { closed.close() }
        harnessless.baseURL = URL(string: "http://127.0.0.1:\(closed.port)")!
        let transport = try HTTPClientTransport(configuration: .init(connectTimeout: .milliseconds(300)))
        let client = DEPClient(
            configuration: Self.exactRetries,
            transport: transport,
            timeSource: clock,
            logger: SimulatorHarness.quietLogger,
            random: { 0 }
        )
        let error = await Self.error { try await client.account(harnessless) }
        try await transport.shutdown()
        #expect(error?.code == .unreachable)
        #expect(error?.parameters["stage"] == "connect")
        #expect(error?.status == nil)
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func aSkewedClockIsBlamedNotTheToken() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            let clock = ManualTimeSource(now: Date().addingTimeInterval(3600))
            try await harness.withClient(timeSource: clock) { client in
                let error = await Self.error { try await client.account(try harness.defaultServer) }
                #expect(error?.code == .clockSkew)
                let skew = Int(error?.parameters["skewSeconds"] ?? "") ?? 0
                // About the hour the clock is ahead; a loaded machine delays the answer (and the date it carries) by
                // seconds.
                #expect((3540...3660).contains(skew), "\(skew)")
            }
        }
    }

    // MARK: - Cursors

    @Test func cursorFaults() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                await #expect(throws: DEPError(.cursorRequired, endpoint: "")) {
                    try await client.syncDevices(server, cursor: "")
                }
                await #expect(throws: DEPError(.cursorInvalid, endpoint: "")) {
                    try await client.syncDevices(server, cursor: "bm90IGEgY3Vyc29y")
                }
                let first = try await client.fetchDevices(server, limit: 10)
                try harness.simulator.invalidateCursors(server: server.name)
                await #expect(throws: DEPError(.cursorInvalid, endpoint: "")) {
                    try await client.fetchDevices(server, cursor: first.cursor, limit: 10)
                }
                let fresh = try await client.fetchDevices(server, limit: 100)
                #expect(!fresh.moreToFollow)
                harness.simulator.advanceClock(by: 8 * 86_400)  // Older than Apple's 7 days.
                await #expect(throws: DEPError(.cursorExpired, endpoint: "")) {
                    try await client.syncDevices(server, cursor: try #require(fresh.cursor))
                }
            }
        }
    }

    @Test func theSameCursorBugIsVisibleToTheCaller() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let first = try await client.fetchDevices(server, limit: 10)
                try Self.inject(harness) { $0.sameCursorBug = true }
                let page = try await client.fetchDevices(server, cursor: first.cursor, limit: 10)
                #expect(page.cursor == first.cursor)
                #expect(page.moreToFollow)
                #expect(page.devices.isEmpty)
            }
        }
    }

    // MARK: - Requests

    @Test func userAgentProblems() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            for (agent, code) in [("", DEPError.Code.userAgentMissing), ("Go-http-client/1.1", .userAgentInvalid)] {
                try await harness.withClient(configuration: DEPClient.Configuration(userAgent: agent, retry: .none)) {
                    client in
                    let error = await Self.error { try await client.account(try harness.defaultServer) }
                    #expect(error?.code == code)
                }
            }
        }
    }

    @Test func aWrongMethodIsMethodNotAllowed() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let error = await Self.error {
                    try await client.send("GET", "/server/devices", server: try harness.defaultServer)
                }
                #expect(error?.code == .methodNotAllowed)
                let malformed = await Self.error {
                    try await client.send(
                        "POST",
                        "/server/devices",
                        body: Array("{".utf8),
                        server: try harness.defaultServer
                    )
                }
                #expect(malformed?.code == .malformedRequest)
            }
        }
    }

    @Test(arguments: ["plain", "quoted", "object"])
    func everyErrorBodyStyleIsClassified(style: String) async throws {
        var configuration = Self.configuration
        configuration.errorBodyStyle = style
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let error = await Self.error { try await client.syncDevices(server, cursor: "bm90IGEgY3Vyc29y") }
                #expect(error?.code == .cursorInvalid)
                let profile = await Self.error { try await client.profile(server, uuid: "00") }
                #expect(profile?.code == .profileNotFound)
            }
        }
    }

    @Test func assignmentThrottlingAndFailuresArePerDevice() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let serials = try harness.simulator.serials(server: server.name, limit: 20)
                let uuid = try #require(
                    try await client.defineProfile(server, Profile(profileName: "P", url: "https://m.example"))
                        .profileUUID
                )
                try Self.inject(harness) {
                    $0.assignThrottleRate = 1
                    $0.assignRetryAfterSeconds = 90
                    $0.failingSerials = [serials[0]]
                }
                let answer = try await client.assignProfile(server, uuid: uuid, serials: serials)
                #expect(answer.devices[serials[0]] == .failed)
                #expect(serials.dropFirst().allSatisfy { answer.devices[$0] == .throttled })
                #expect(answer.retryAfterSeconds == 90)
            }
            // Protocol version 8 knows no THROTTLED: those devices fail, and no retry_after_seconds is sent.
            try await harness.withClient(configuration: DEPClient.Configuration(protocolVersion: 8, retry: .none)) {
                client in
                let server = try harness.defaultServer
                let serials = try harness.simulator.serials(server: server.name, limit: 3)
                let uuid = try #require(
                    try await client.defineProfile(server, Profile(profileName: "Q", url: "https://m.example"))
                        .profileUUID
                )
                let answer = try await client.assignProfile(server, uuid: uuid, serials: serials)
                #expect(answer.devices.values.allSatisfy { $0 == .failed })
                #expect(answer.retryAfterSeconds == nil)
            }
        }
    }

    // MARK: - Secrets

    @Test func logsNeverHoldCredentialsOrSessions() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            let logs = InMemoryLogHandler()
            var logger = Logger(label: "test") { _ in logs }
            logger.logLevel = .trace
            try Self.inject(harness) { $0.serverErrorRate = 0.5 }
            let server = try harness.defaultServer
            let configuration = DEPClient.Configuration(
                retry: RetryPolicy(maximumAttempts: 30, jitter: 0, totalDeadline: .seconds(100_000))
            )
            try await harness.withClient(configuration: configuration, timeSource: ManualTimeSource(), logger: logger) {
                client in
                for _ in 0..<5 { _ = try await client.fetchDevices(server) }
                try harness.simulator.revoke(server: server.name)
                _ = await Self.error { try await client.account(server) }
            }
            let text = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!text.isEmpty)
            for secret in [
                server.credentials.consumerSecret, server.credentials.accessSecret, server.credentials.accessToken,
                "SIM",
            ] {
                #expect(!text.contains(secret))
            }
        }
    }
}

/// A loopback TCP port bound without listening: connections to it are refused for as long as it is held.
private struct ClosedPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw CocoaError(.fileWriteUnknown) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
