import ADECore
import ADESQLite
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import InMemoryLogging
import Logging
import ServerToken
import Testing

/// Sync runs against the simulator: full fetch, delta, every cursor fault, resumption, leases, failures recorded.
struct TokenSyncerTests {
    static func withSyncer(
        devices: Int = 2500,
        store makeStore: @escaping @Sendable () throws -> any ADEStore = { MemoryStore() },
        _ body: @escaping @Sendable (SimulatorHarness, TokenSyncer, any ADEStore, EnrollmentToken) async throws -> Void
    ) async throws {
        try await withSyncerAndService(devices: devices, store: makeStore) { harness, syncer, _, store, token in
            try await body(harness, syncer, store, token)
        }
    }

    /// As ``withSyncer(devices:store:_:)``, with the token service that holds the token's secrets.
    static func withSyncerAndService(
        devices: Int = 2500,
        store makeStore: @escaping @Sendable () throws -> any ADEStore = { MemoryStore() },
        _ body:
            @escaping @Sendable (SimulatorHarness, TokenSyncer, TokenService, any ADEStore, EnrollmentToken)
            async throws
            -> Void
    ) async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Sync", devices: devices)])) {
            harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = try makeStore()
                let service = harness.tokenService(store: store, client: client)
                let token = try await harness.enroll("Sync", with: service)
                try await harness.defineDefaultProfile(for: token, store: store, tokens: service)
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: SystemTimeSource(),
                    logger: SimulatorHarness.quietLogger
                )
                try await body(harness, syncer, service, store, token)
            }
        }
    }

    static let holder = TokenSyncer.Holder(
        name: "test",
        host: ProcessInfo.processInfo.hostName,
        processID: ProcessInfo.processInfo.processIdentifier
    )

    @Test func aFullFetchThenDeltasMatchApple() async throws {
        try await Self.withSyncer { harness, syncer, store, token in
            let full = try await syncer.run(token, holder: Self.holder)
            #expect(full.kind == .full)
            #expect(full.outcome == .succeeded)
            #expect(full.pages == 4, "three fetch pages, then one sync page from the fetch's cursor")
            #expect(full.added == 2500)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 2500)
            let cursor = try #require(try await store.cursor(tokenID: token.id))
            #expect(cursor.phase == .sync && cursor.lastFullFetchAt != nil)

            try harness.simulator.churn(
                server: harness.simulator.defaultServerUUID,
                added: 30,
                modified: 20,
                deleted: 10
            )
            let delta = try await syncer.run(token, holder: Self.holder)
            #expect(delta.kind == .delta)
            #expect(delta.added == 30)
            #expect(delta.removed == 10)
            #expect(delta.modified >= 1)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 2520)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 2530)
            let quiet = try await syncer.run(token, holder: Self.holder)
            #expect(quiet.pages == 1 && quiet.added + quiet.modified + quiet.removed == 0)
            #expect(try await store.runs(tokenID: token.id, limit: 10).count == 3)
        }
    }

    @Test func tenThousandDevicesMatchAppleExactlyThroughChurn() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            try await Self.withSyncerAndService(devices: 10_000, store: { try SQLiteStore(path: path) }) {
                harness,
                syncer,
                service,
                store,
                token in
                let uuid = harness.simulator.defaultServerUUID
                let server = try await service.server(for: token)
                /// The stored present devices against Apple's list, and 200 of them field by field against Apple's
                /// device details.
                func expectInStepWithApple() async throws {
                    var stored: [String: StoredDevice] = [:]
                    for device in try await store.allDevices(tokenID: token.id) { stored[device.serialNumber] = device }
                    let apple = try harness.simulator.serials(server: uuid, limit: 20_000)
                    let missing = Set(apple).subtracting(stored.keys)
                    let extra = Set(stored.keys).subtracting(apple)
                    #expect(missing.isEmpty && extra.isEmpty, "\(missing.count) missing, \(extra.count) extra")
                    let sample = Array(apple.shuffled().prefix(200))
                    let details = try await service.client.deviceDetails(server, serials: sample).devices
                    for serial in sample {
                        let ours = try #require(stored[serial]?.device)
                        let theirs = try #require(details[serial])
                        #expect(ours.model == theirs.model && ours.color == theirs.color)
                        #expect(ours.profileStatus == theirs.profileStatus && ours.profileUUID == theirs.profileUUID)
                        #expect(ours.deviceFamily == theirs.deviceFamily && ours.os == theirs.os)
                        #expect(ours.deviceAssignedDate == theirs.deviceAssignedDate)
                    }
                }

                let full = try await syncer.run(token, holder: Self.holder)
                #expect(full.added == 10_000 && full.pages == 11, "ten fetch pages and the first sync page")
                try await expectInStepWithApple()
                for round in 1...3 {
                    try harness.simulator.churn(server: uuid, added: 150 * round, modified: 300, deleted: 40 * round)
                    let delta = try await syncer.run(token, holder: Self.holder)
                    #expect(delta.kind == .delta)
                    #expect(delta.added == 150 * round, "round \(round)")
                    #expect(delta.removed == 40 * round, "round \(round)")
                    try await expectInStepWithApple()
                }
                #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 10_000 + 900)
            }
        }
    }

    @Test func anExpiredCursorStartsAFullFetchThatRemovesUnseenDevices() async throws {
        try await Self.withSyncer(devices: 300) { harness, syncer, store, token in
            _ = try await syncer.run(token, holder: Self.holder)
            let gone = try harness.simulator.serials(server: harness.simulator.defaultServerUUID, limit: 3)
            // Devices leave without a sync event reaching us (as throttled devices can), then the cursor expires.
            _ = try harness.simulator.move(
                serials: gone,
                to: harness.simulator.addServer(name: "Other", devices: 0).uuid
            )
            harness.simulator.advanceClock(by: 8 * 86_400)
            let run = try await syncer.run(token, holder: Self.holder)
            #expect(run.kind == .full)
            #expect(run.removed == 3)
            for serial in gone {
                #expect(try await store.device(tokenID: token.id, serial: serial)?.removedAt != nil)
            }
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 297)
        }
    }

    @Test func anInvalidCursorStartsAFullFetch() async throws {
        try await Self.withSyncer(devices: 100) { harness, syncer, store, token in
            _ = try await syncer.run(token, holder: Self.holder)
            let generation = try #require(try await store.cursor(tokenID: token.id)).fetchGeneration
            try harness.simulator.invalidateCursors(server: harness.simulator.defaultServerUUID)
            let run = try await syncer.run(token, holder: Self.holder)
            #expect(run.kind == .full && run.outcome == .succeeded)
            #expect(try await store.cursor(tokenID: token.id)?.fetchGeneration == generation + 1)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 100)
        }
    }

    @Test func anExhaustedFetchCursorSwitchesToSync() async throws {
        try await Self.withSyncer(devices: 300) { harness, syncer, store, token in
            _ = try await syncer.run(token, holder: Self.holder)
            // A fetch whose last page said more was to follow (or another tool's database): the stored fetch
            // cursor has already returned everything, and Apple answers EXHAUSTED_CURSOR.
            var state = try #require(try await store.cursor(tokenID: token.id))
            state.phase = .fetch
            state.fetchStartedAt = Date()
            try await store.setCursor(state, tokenID: token.id)
            try harness.simulator.churn(server: harness.simulator.defaultServerUUID, added: 4)
            let run = try await syncer.run(token, holder: Self.holder)
            #expect(run.outcome == .succeeded)
            #expect(run.added == 4, "the fetch completes and the sync after it reads what changed")
            #expect(run.removed == 0, "every device was seen by the fetch")
            let after = try #require(try await store.cursor(tokenID: token.id))
            #expect(after.phase == .sync && after.fetchGeneration == state.fetchGeneration)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 304)
        }
    }

    @Test func aMissingCursorStartsAFullFetch() async throws {
        try await Self.withSyncer(devices: 300) { harness, syncer, store, token in
            _ = try await syncer.run(token, holder: Self.holder)
            let generation = try #require(try await store.cursor(tokenID: token.id)).fetchGeneration
            // A sync phase without a cursor (Apple would answer CURSOR_REQUIRED), then no cursor at all.
            try await store.setCursor(
                SyncCursorState(phase: .sync, cursor: nil, fetchGeneration: generation, lastFullFetchAt: Date()),
                tokenID: token.id
            )
            let first = try await syncer.run(token, holder: Self.holder)
            #expect(first.kind == .full && first.outcome == .succeeded && first.added == 0)
            // No cursor at all, while two devices left without an event: the new fetch still removes them.
            try await store.setCursor(nil, tokenID: token.id)
            let gone = try harness.simulator.serials(server: harness.simulator.defaultServerUUID, limit: 2)
            _ = try harness.simulator.move(serials: gone, to: harness.simulator.addServer(name: "B", devices: 0).uuid)
            let second = try await syncer.run(token, holder: Self.holder)
            #expect(second.kind == .full && second.outcome == .succeeded)
            #expect(second.removed == 2)
            #expect(try await store.cursor(tokenID: token.id)?.fetchGeneration == generation + 2)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 298)
        }
    }

    @Test func aRunThatChangesTheTokensStateRecordsItWithAnEvent() async throws {
        try await Self.withSyncer(devices: 300) { harness, syncer, store, token in
            func transitions() async throws -> [String] {
                try await store.events(after: 0, limit: 1000).filter { $0.kind == .tokenStateChanged }.map(\.body)
            }
            _ = try await syncer.run(token, holder: Self.holder)
            #expect(try await store.token(id: token.id)?.recordedState == .healthy)
            #expect(try await transitions().count == 1)
            _ = try await syncer.run(token, holder: Self.holder)
            #expect(try await transitions().count == 1, "no change, no event")

            // The admin has not accepted new terms in ABM: every call fails, the state says why.
            var faults = SimulatedFaults()
            faults.termsNotAccepted = true
            try harness.simulator.setFaults(faults, server: harness.simulator.defaultServerUUID)
            await #expect(throws: DEPError.self) { try await syncer.run(token, holder: Self.holder) }
            let refused = try #require(try await store.token(id: token.id))
            #expect(refused.recordedState == .termsNotAccepted)
            var bodies = try await transitions()
            #expect(bodies.count == 2)
            #expect(bodies[1].contains(#""from":"healthy","severity":"error","to":"terms_not_accepted""#))
            #expect(bodies[1].contains(#""error_code":"terms_not_signed""#))

            // Accepted: the next successful call clears it by itself.
            try harness.simulator.setFaults(SimulatedFaults(), server: harness.simulator.defaultServerUUID)
            _ = try await syncer.run(token, holder: Self.holder)
            #expect(try await store.token(id: token.id)?.recordedState == .healthy)
            bodies = try await transitions()
            #expect(bodies.count == 3 && bodies[2].contains(#""from":"terms_not_accepted","severity":"ok""#))
        }
    }

    @Test func theSameCursorBugStopsPagingAndTheRunIsIncomplete() async throws {
        try await Self.withSyncer(devices: 2500) { harness, syncer, store, token in
            var faults = SimulatedFaults()
            faults.sameCursorBug = true
            try harness.simulator.setFaults(faults, server: harness.simulator.defaultServerUUID)
            await #expect(throws: SyncError(.sameCursor)) { try await syncer.run(token, holder: Self.holder) }
            let run = try #require(try await store.runs(tokenID: token.id, limit: 1).first)
            #expect(run.outcome == .failed && run.errorCode == "same_cursor", "recorded as incomplete, not a success")
            #expect(run.pages == 2, "the first page, then the repeated cursor")
            #expect(try await store.cursor(tokenID: token.id)?.phase == .fetch, "the fetch resumes next time")
            let stored = try #require(try await store.token(id: token.id))
            #expect(stored.recordedState == .syncIncomplete)
            let text = TokenHealth(state: .syncIncomplete, severity: .warning)
                .text(tokenName: token.name, locale: .english)
            #expect(text.steps.contains { $0.contains("--full") })
            try harness.simulator.setFaults(SimulatedFaults(), server: harness.simulator.defaultServerUUID)
            let next = try await syncer.run(token, holder: Self.holder)
            #expect(next.outcome == .succeeded)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 2500)
        }
    }

    @Test func anInterruptedFetchResumesWhereItStopped() async throws {
        try await Self.withSyncer(devices: 2500, store: { try SQLiteStore.inMemory() }) {
            harness,
            syncer,
            store,
            token in
            let uuid = harness.simulator.defaultServerUUID
            var faults = SimulatedFaults()
            faults.serverErrorRate = 0.4
            try harness.simulator.setFaults(faults, server: uuid)
            var failures = 0
            while try await store.cursor(tokenID: token.id)?.phase != .sync {
                do {
                    _ = try await syncer.run(token, holder: Self.holder)
                } catch let error as DEPError {
                    #expect(error.code == .serverError)
                    failures += 1
                }
                #expect(failures < 100)
            }
            try harness.simulator.setFaults(SimulatedFaults(), server: uuid)
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 2500)
            let runs = try await store.runs(tokenID: token.id, limit: 200)
            #expect(runs.filter { $0.outcome == .failed }.allSatisfy { $0.errorCode == "server_error" })
            #expect(runs.allSatisfy { $0.outcome != .running })
        }
    }

    @Test func tokenFaultsFailTheRunAndAreRecorded() async throws {
        try await Self.withSyncer(devices: 10) { harness, syncer, store, token in
            harness.simulator.publishTerms()
            await #expect(throws: DEPError(.termsNotSigned, endpoint: "")) {
                try await syncer.run(token, holder: Self.holder)
            }
            let failed = try #require(try await store.runs(tokenID: token.id, limit: 1).first)
            #expect(failed.outcome == .failed && failed.errorCode == "terms_not_signed")
            harness.simulator.acceptTerms()
            #expect(try await syncer.run(token, holder: Self.holder).outcome == .succeeded)
            #expect(try await store.lease(tokenID: token.id) == nil, "the lease is released after every run")
        }
    }

    @Test func theHistoryKeepsTheNewestRuns() async throws {
        try await Self.withSyncerAndService(devices: 10) { _, _, service, store, token in
            let syncer = TokenSyncer(
                store: store,
                tokens: service,
                client: service.client,
                timeSource: SystemTimeSource(),
                configuration: TokenSyncer.Configuration(runsKept: 2),
                logger: SimulatorHarness.quietLogger
            )
            var runs: [SyncRun] = []
            for _ in 0..<4 { runs.append(try await syncer.run(token, holder: Self.holder)) }
            #expect(try await store.runs(tokenID: token.id, limit: 10).map(\.id) == [runs[3].id, runs[2].id])
        }
    }

    @Test func oneHolderAtATime() async throws {
        try await Self.withSyncer(devices: 10) { _, syncer, store, token in
            let other = SyncLease(
                tokenID: token.id,
                holder: "serve",
                host: Self.holder.host,
                processID: ProcessInfo.processInfo.processIdentifier,
                expiresAt: Date().addingTimeInterval(60)
            )
            _ = try await store.acquireLease(other, now: Date(), replacing: nil)
            do {
                _ = try await syncer.run(token, holder: Self.holder)
                Issue.record("a held token was synced")
            } catch let error as SyncError {
                #expect(error.code == .leaseHeld)
                #expect(error.parameters["holder"] == "serve")
            }
            // A lease of a process that is gone is taken over at once.
            try await store.releaseLease(tokenID: token.id, holder: "serve")
            var dead = other
            dead.processID = 999_999
            _ = try await store.acquireLease(dead, now: Date(), replacing: nil)
            #expect(try await syncer.run(token, holder: Self.holder).outcome == .succeeded)
        }
    }
}

extension TokenSyncerTests {
    /// A full sync with trace logging everywhere: no secret, session token or `Authorization` header in the logs.
    @Test func logsOfAFullSyncHoldNoSecret() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "trace") { _ in logs }
        logger.logLevel = .trace
        let traced = logger
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Logs", devices: 1500)])) {
            harness in
            try await harness.withClient(
                configuration: DEPClient.Configuration(retry: RetryPolicy(maximumAttempts: 10, jitter: 0)),
                timeSource: ManualTimeSource(),
                logger: traced
            ) { client in
                let store = try SQLiteStore.inMemory()
                let service = harness.tokenService(store: store, client: client, logger: traced)
                let token = try await harness.enroll("Logs", with: service)
                var faults = SimulatedFaults()
                faults.serverErrorRate = 0.3
                try harness.simulator.setFaults(faults, server: harness.simulator.defaultServerUUID)
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: SystemTimeSource(),
                    logger: traced
                )
                #expect(try await syncer.run(token, holder: Self.holder).outcome == .succeeded)
                harness.simulator.advanceClock(by: 8 * 86_400)
                _ = try await syncer.run(token, holder: Self.holder)
                let credentials = try await service.credentials(for: token)
                let text = logs.entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
                #expect(logs.entries.count > 3, "the run was logged")
                for secret in [
                    credentials.consumerSecret, credentials.accessSecret, credentials.accessToken, "SIM", "OAuth ",
                    "oauth_signature", "X-ADM-Auth-Session", "PRIVATE KEY",
                ] {
                    #expect(!text.contains(secret), "\(secret) leaked")
                }
            }
        }
    }
}

/// A process killed in the middle of a run: its run is closed as interrupted with the pages it wrote, and the next
/// process takes its lease at once.
struct AbandonedRunTests {
    /// The process ID of a process that has ended.
    static func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test(arguments: [false, true])
    func aRunCutShortIsClosedWithWhatItWroteAndItsLeaseIsTakenAtOnce(sqlite: Bool) async throws {
        try await TokenSyncerTests.withSyncer(
            devices: 2500,
            store: { sqlite ? try SQLiteStore.inMemory() as any ADEStore : MemoryStore() }
        ) { harness, syncer, store, token in
            // What a killed `ade sync` leaves: its lease, a run marked running, and two pages written under it.
            let now = Date()
            let current = TokenSyncer.Holder.current()
            let dead = TokenSyncer.Holder(name: "dead", host: current.host, processID: try Self.deadProcessID())
            _ = try await store.acquireLease(
                SyncLease(
                    tokenID: token.id,
                    holder: dead.name,
                    host: dead.host,
                    processID: dead.processID,
                    expiresAt: now.addingTimeInterval(60)
                ),
                now: now,
                replacing: nil
            )
            let run = try await store.startRun(tokenID: token.id, kind: .full, at: now)
            let serials = try harness.simulator.serials(server: harness.simulator.defaultServerUUID, limit: 2000)
            for (index, chunk) in [serials[0..<1000], serials[1000..<2000]].enumerated() {
                _ = try await store.applyPage(
                    chunk.map { DeviceRecord(serialNumber: $0, model: "iPad") },
                    cursor: SyncCursorState(phase: .fetch, cursor: "c\(index)", fetchGeneration: 1),
                    completesFetch: false,
                    tokenID: token.id,
                    lease: LeaseRenewal(holder: dead.name, until: now.addingTimeInterval(60), runID: run.id),
                    now: now
                )
            }

            #expect(try await syncer.closeAbandonedRuns(holder: current) == 1)
            let closed = try #require(try await store.runs(tokenID: token.id, limit: 10).first { $0.id == run.id })
            #expect(closed.outcome == .interrupted)
            #expect(closed.pages == 2 && closed.added == 2000, "what it wrote is counted")
            #expect(closed.endedAt != nil)

            let clock = ContinuousClock.now
            let next = try await syncer.run(token, holder: current)
            #expect(next.outcome == .succeeded, "the dead holder's lease is taken at once")
            #expect(ContinuousClock.now - clock < .seconds(30))
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 2500)
            #expect(try await store.runs(tokenID: token.id, limit: 10).allSatisfy { $0.outcome != .running })
        }
    }
}
