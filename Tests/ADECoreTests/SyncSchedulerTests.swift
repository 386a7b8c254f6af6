import ADECore
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import ServerToken
import Testing

/// The scheduler on a manual clock: cadence, slow probes after token-level failures, "sync now", bounded.
struct SyncSchedulerTests {
    /// Runs a scheduler until the virtual clock reaches `end`, then stops it. Time moves only while the scheduler is
    /// quiet (no sync in progress, the same next deadline 2 ms apart): to the next sleep's deadline, at least a second.
    static func runScheduler(
        _ scheduler: SyncScheduler,
        clock: VirtualTimeSource,
        until end: Date,
        during body: @escaping @Sendable () async throws -> Void = {}
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run() }
            group.addTask {
                try await body()
                while clock.now() < end {
                    try await Task.sleep(for: .milliseconds(2))
                    guard scheduler.syncing.isEmpty, let next = clock.nextDeadline else { continue }
                    try await Task.sleep(for: .milliseconds(2))
                    guard scheduler.syncing.isEmpty, clock.nextDeadline == next else { continue }
                    // At least a second at a time: tokens due within it start together, as after a busy second.
                    clock.advance(to: min(max(next, clock.now().addingTimeInterval(1)), end))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A scheduler and its syncer on the virtual clock.
    static func scheduler(
        store: any ADEStore,
        service: TokenService,
        client: DEPClient,
        clock: VirtualTimeSource,
        configuration: SyncScheduler.Configuration = .init()
    ) -> SyncScheduler {
        let syncer = TokenSyncer(
            store: store,
            tokens: service,
            client: client,
            timeSource: clock,
            logger: SimulatorHarness.quietLogger
        )
        return SyncScheduler(
            store: store,
            syncer: syncer,
            timeSource: clock,
            configuration: configuration,
            logger: SimulatorHarness.quietLogger
        )
    }

    /// What a scheduler test works with: `tokens` tokens enrolled on servers of 20 devices each.
    struct Fixture {
        var harness: SimulatorHarness
        var scheduler: SyncScheduler
        var store: MemoryStore
        var service: TokenService
        var tokens: [EnrollmentToken]
        var clock: VirtualTimeSource
    }

    /// The change stamp is looked at each minute here: these tests move hours of virtual time.
    static let hoursOfVirtualTime = SyncScheduler.Configuration(
        interval: 900,
        maximumConcurrentSyncs: 2,
        tokenFailureProbeInterval: 3600,
        changeCheckInterval: 60
    )

    static func setUp(
        tokens: Int,
        configuration: SyncScheduler.Configuration = hoursOfVirtualTime,
        _ body: @escaping @Sendable (Fixture) async throws -> Void
    ) async throws {
        let servers = (0..<tokens).map { SimulatorConfiguration.Server(name: "S\($0)", devices: 20) }
        try await SimulatorHarness.with(SimulatorConfiguration(servers: servers)) { harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = MemoryStore()
                let service = harness.tokenService(store: store, client: client)
                var enrolled: [EnrollmentToken] = []
                for index in 0..<tokens {
                    enrolled.append(try await harness.enroll("T\(index)", server: index, with: service))
                }
                let clock = VirtualTimeSource()
                let scheduler = Self.scheduler(
                    store: store,
                    service: service,
                    client: client,
                    clock: clock,
                    configuration: configuration
                )
                let fixture = Fixture(
                    harness: harness,
                    scheduler: scheduler,
                    store: store,
                    service: service,
                    tokens: enrolled,
                    clock: clock
                )
                try await body(fixture)
            }
        }
    }

    @Test func syncsEveryTokenOnItsIntervalAndNoMore() async throws {
        try await Self.setUp(tokens: 3) { fixture in
            let (scheduler, store, tokens, clock) = (fixture.scheduler, fixture.store, fixture.tokens, fixture.clock)
            let end = clock.now().addingTimeInterval(3600 + 60)
            try await Self.runScheduler(scheduler, clock: clock, until: end)
            for token in tokens {
                // Stopping the scheduler may interrupt a run; those are recorded as such and not counted.
                let runs = await store.runs(tokenID: token.id, limit: 100).filter { $0.outcome != .interrupted }
                // The first run within the start jitter, then one every 15 minutes: 5 in the hour.
                #expect((5...6).contains(runs.count), "\(token.name): \(runs.count) runs")
                #expect(runs.allSatisfy { $0.outcome == .succeeded }, "\(runs.map { $0.errorCode ?? "ok" })")
                let starts = runs.map(\.startedAt).sorted()
                for (earlier, later) in zip(starts, starts.dropFirst()) {
                    #expect(later.timeIntervalSince(earlier) >= 899, "no token is synced more often than its interval")
                }
            }
        }
    }

    @Test func aTokenLevelFailureIsProbedSlowlyAndClearsByItself() async throws {
        try await Self.setUp(tokens: 1) { fixture in
            let (harness, scheduler, store, tokens, clock) =
                (fixture.harness, fixture.scheduler, fixture.store, fixture.tokens, fixture.clock)
            harness.simulator.publishTerms()
            let start = clock.now()
            try await Self.runScheduler(scheduler, clock: clock, until: start.addingTimeInterval(3 * 3600 + 60))
            let failed = await store.runs(tokenID: tokens[0].id, limit: 100).filter { $0.outcome != .interrupted }
            #expect((3...5).contains(failed.count), "probed hourly, not every 15 minutes: \(failed.count) runs")
            #expect(failed.allSatisfy { $0.errorCode == "terms_not_signed" })

            harness.simulator.acceptTerms()
            let resumed = clock.now()
            try await Self.runScheduler(scheduler, clock: clock, until: resumed.addingTimeInterval(3600 + 60))
            let runs = await store.runs(tokenID: tokens[0].id, limit: 100).filter { $0.outcome != .interrupted }
            #expect(runs.first?.outcome == .succeeded, "the state cleared once the terms were accepted")
            let last = try #require(runs.first)
            let health = TokenHealth.evaluate(token: tokens[0], lastRun: last, lastSuccess: last, now: clock.now())
            #expect(health.state == .healthy)
        }
    }

    @Test func syncNowIsRateLimited() async throws {
        try await Self.setUp(tokens: 1) { fixture in
            let (scheduler, tokens, clock) = (fixture.scheduler, fixture.tokens, fixture.clock)
            #expect(try await scheduler.syncNow(tokenID: tokens[0].id) == .started)
            guard case .tooSoon(let next) = try await scheduler.syncNow(tokenID: tokens[0].id) else {
                Issue.record("a second sync-now within a minute was accepted")
                return
            }
            #expect(abs(next.timeIntervalSince(clock.now()) - 60) < 1)
            clock.advance(to: clock.now().addingTimeInterval(61))
            #expect(try await scheduler.syncNow(tokenID: tokens[0].id) == .started)
        }
    }
}

extension SyncSchedulerTests {
    /// `ade token renew` in another process while `ade serve` runs: nothing tells the scheduler but the store, and
    /// the renewed token syncs within seconds instead of at the next hourly probe.
    @Test func aRenewalByAnotherProcessIsSyncedWithinSeconds() async throws {
        try await Self.setUp(tokens: 1, configuration: .init(interval: 900, tokenFailureProbeInterval: 3600)) {
            fixture in
            let (harness, scheduler, store, service, clock) =
                (fixture.harness, fixture.scheduler, fixture.store, fixture.service, fixture.clock)
            let token = fixture.tokens[0]
            let uuid = harness.simulator.servers[0].uuid
            try harness.simulator.revoke(server: uuid)
            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(120))
            #expect(await store.runs(tokenID: token.id, limit: 10).first?.errorCode == "token_rejected")

            // Another process renews: the scheduler is not told.
            let certificate = try #require(try await service.certificate(name: "T0"))
            try harness.simulator.uploadCertificate(pem: certificate.pemRepresentation, server: uuid)
            let file = Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
            _ = try await service.reading(clock).upload(name: "T0", file: file)
            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(10))
            let runs = await store.runs(tokenID: token.id, limit: 10)
            #expect(runs.first?.outcome == .succeeded, "synced within 10 s of the renewal: \(runs.map(\.outcome))")
        }
    }

    /// Intune's limit: 2,000 tokens, each of its own MDM server, all first synced within the start jitter, never more
    /// than four at once, and every one of them to the last device.
    @Test func twoThousandTokens() async throws {
        let count = 2000
        let servers = (0..<count).map { SimulatorConfiguration.Server(name: "S\($0)", devices: 3) }
        try await SimulatorHarness.with(SimulatorConfiguration(servers: servers)) { harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = MemoryStore()
                let service = harness.tokenService(store: store, client: client)
                // One key for every server (as a tool that reuses its key), each token through the real upload,
                // four at a time.
                let pair = try TokenKeyPair.generate(notValidBefore: Date())
                let servers = harness.simulator.servers
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, server) in servers.enumerated() {
                        if index >= 4 { try await group.next() }
                        group.addTask {
                            try harness.simulator.uploadCertificate(
                                pem: pair.certificate.pemRepresentation,
                                server: server.uuid
                            )
                            let file = Array(try harness.simulator.downloadToken(server: server.uuid).contents.utf8)
                            _ = try await service.importToken(
                                name: "T\(index)",
                                privateKey: pair.privateKey,
                                file: file,
                                baseURL: harness.baseURL
                            )
                        }
                    }
                    try await group.waitForAll()
                }
                let clock = VirtualTimeSource()
                let start = clock.now()
                let scheduler = Self.scheduler(store: store, service: service, client: client, clock: clock)
                // The default schedule: 4 at once, first runs within 30 s, then every 15 minutes.
                try await Self.runScheduler(scheduler, clock: clock, until: start.addingTimeInterval(60))

                let latest = await store.latestRuns()
                #expect(latest.count == count, "every token synced")
                #expect(latest.values.allSatisfy { $0.outcome == .succeeded || $0.outcome == .interrupted })
                #expect(latest.values.filter { $0.outcome == .succeeded }.count >= count - 4)
                #expect(scheduler.peakConcurrentSyncs == 4, "the window was used, and never exceeded")
                let starts = latest.values.map(\.startedAt)
                let spread = (starts.max() ?? start).timeIntervalSince(starts.min() ?? start)
                #expect(spread > 25, "first runs spread over the start jitter: \(spread) s")
                var devices = 0
                for token in await store.tokens() {
                    devices += await store.deviceCount(tokenID: token.id, includeRemoved: false)
                }
                #expect(devices == 3 * count)
            }
        }
    }
}

extension SyncSchedulerTests {
    /// Several nodes: "sync now" asked on another node reaches this one through the store, and a token another node
    /// is syncing waits for that node's lease, then is taken over if the node fell silent.
    @Test func aSyncAskedOnAnotherNodeStartsHere() async throws {
        try await Self.setUp(tokens: 1, configuration: .init(interval: 900, changeCheckInterval: 2)) { fixture in
            let (scheduler, store, clock, token) = (fixture.scheduler, fixture.store, fixture.clock, fixture.tokens[0])
            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(60))
            let first = await store.runs(tokenID: token.id, limit: 10)
            #expect(first.count == 1)

            // Another node records the request: this scheduler is not told.
            try await store.requestSync(tokenID: token.id, at: clock.now())
            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(5))
            #expect(await store.runs(tokenID: token.id, limit: 10).count == 2, "synced within seconds, not in 15 min")
            guard case .tooSoon = try await scheduler.syncNow(tokenID: token.id) else {
                Issue.record("a request within a minute of another node's was accepted")
                return
            }
        }
    }

    @Test func aTokenHeldByASilentNodeIsTakenOverWhenItsLeaseExpires() async throws {
        try await Self.setUp(tokens: 1, configuration: .init(interval: 900, changeCheckInterval: 2)) { fixture in
            let (scheduler, store, clock, token) = (fixture.scheduler, fixture.store, fixture.clock, fixture.tokens[0])
            // A node on another host began a run and fell silent (its host cannot be asked whether it lives).
            let abandoned = try await store.startRun(tokenID: token.id, kind: .full, at: clock.now())
            let lease = SyncLease(
                tokenID: token.id,
                holder: "elsewhere:1:dead",
                host: "elsewhere",
                processID: 1,
                expiresAt: clock.now().addingTimeInterval(60)
            )
            _ = try await store.acquireLease(lease, now: clock.now(), replacing: nil)
            try await store.requestSync(tokenID: token.id, at: clock.now())
            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(50))
            #expect(await store.runs(tokenID: token.id, limit: 10).map(\.id) == [abandoned.id], "the lease is alive")

            try await Self.runScheduler(scheduler, clock: clock, until: clock.now().addingTimeInterval(15))
            let runs = await store.runs(tokenID: token.id, limit: 10)
            #expect(runs.map(\.outcome) == [.succeeded, .interrupted], "taken over once the lease expired")
        }
    }
}
