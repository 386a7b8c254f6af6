import ADECore
import ADESQLite
import ADETesting
import Foundation
import Testing

/// The health monitor records what no run decides: the expiry ladder, expiry itself, a stalled sync and an admin's
/// fix, each once, with its event.
struct HealthMonitorTests {
    static func monitor(_ store: any ADEStore, at clock: ManualTimeSource) -> HealthMonitor {
        HealthMonitor(store: store, timeSource: clock, logger: SimulatorHarness.quietLogger)
    }

    static func events(_ store: any ADEStore, _ kind: OutboxEvent.Kind) async throws -> [OutboxEvent] {
        try await store.events(after: 0, limit: 100_000).filter { $0.kind == kind }
    }

    @Test(arguments: [false, true])
    func theExpiryLadderRemindsOncePerStepThenExpires(sqlite: Bool) async throws {
        try await TokenSyncerTests.withSyncerAndService(
            devices: 20,
            store: { sqlite ? try SQLiteStore.inMemory() as any ADEStore : MemoryStore() }
        ) { _, _, service, store, token in
            let clock = ManualTimeSource(now: Date())
            // Runs on the test's clock, as the monitor judges by it.
            let syncer = TokenSyncer(
                store: store,
                tokens: service,
                client: service.client,
                timeSource: clock,
                logger: SimulatorHarness.quietLogger
            )
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let expiry = try #require(token.accessTokenExpiry)
            let monitor = Self.monitor(store, at: clock)
            #expect(try await monitor.evaluate() == HealthMonitor.Pass(), "the run recorded healthy already")

            // 40 days left, then each step of the ladder, each evaluated twice.
            clock.set(expiry.addingTimeInterval(-40 * 86_400))
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await monitor.evaluate() == HealthMonitor.Pass())
            var steps: [Int] = []
            for daysLeft in [29.5, 13.5, 6.5, 0.5] {
                clock.set(expiry.addingTimeInterval(-daysLeft * 86_400))
                // A sync a day keeps the last success recent (no stall).
                _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
                let pass = try await monitor.evaluate()
                steps += pass.reminders.values.map(\.step)
                #expect(try await monitor.evaluate().reminders.isEmpty, "never twice for the same step")
            }
            #expect(steps == [30, 14, 7, 1])
            let reminders = try await Self.events(store, .tokenExpiryReminder)
            #expect(reminders.count == 4)
            #expect(reminders.first?.body.contains(#""step_days":30"#) == true)
            #expect(reminders.last?.body.contains(#""days_left":1"#) == true, "half a day left: 1 to count")
            #expect(try await store.token(id: token.id)?.recordedState == .expiring)

            clock.set(expiry.addingTimeInterval(60))
            let expired = try await monitor.evaluate()
            #expect(expired.transitions[token.name]?.from == .expiring)
            #expect(expired.transitions[token.name]?.to == .expired)
            #expect(expired.reminders.isEmpty)
            #expect(try await monitor.evaluate() == HealthMonitor.Pass())
            let changes = try await Self.events(store, .tokenStateChanged).map(\.body)
            #expect(changes.count == 3, "\(changes)")  // first record, expiring, expired
        }
    }

    @Test func aStalledSyncAndAnAdminsFixAreRecorded() async throws {
        try await TokenSyncerTests.withSyncer(devices: 20) { _, syncer, store, token in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let clock = ManualTimeSource(now: Date())
            let monitor = Self.monitor(store, at: clock)

            clock.advance(by: 23 * 3600)
            #expect(try await monitor.evaluate().transitions.isEmpty)
            clock.advance(by: 2 * 3600)
            let stalled = try await monitor.evaluate()
            #expect(stalled.transitions[token.name]?.to == .syncStalled)
            #expect(stalled.transitions[token.name]?.severity == .error)

            // The admin removes the default profile: the next evaluation after a sync shows it, and setting one
            // again clears it without a sync.
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let profile = try #require(try await store.defaultProfileIDs(tokenID: token.id)[nil])
            try await store.setDefaultProfile(tokenID: token.id, family: nil, profileID: nil)
            clock.set(Date())
            #expect(try await monitor.evaluate().transitions[token.name]?.to == .noDefaultProfile)
            try await store.setDefaultProfile(tokenID: token.id, family: nil, profileID: profile)
            #expect(try await monitor.evaluate().transitions[token.name]?.to == .healthy)
            let history = try await store.transitions(tokenID: token.id, limit: 10).map(\.to)
            #expect(history == [.healthy, .noDefaultProfile, .healthy, .syncStalled, .healthy])
        }
    }
}
