import ADECore
import ADETesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import ADEPostgres

/// The store while its server restarts: every call ends (answered, or `unavailable`), none waits for ever.
@Suite(.timeLimit(.minutes(2)))
struct PostgresRestartStoreTests {
    /// The rounds each worker has finished, the calls answered `unavailable`, and whether the server is back.
    final class Progress: Sendable {
        let rounds = Mutex<[Int]>(Array(repeating: 0, count: 8))
        let failures = Mutex(0)
        let restarted = Atomic(false)
    }

    @Test func everyCallEndsWhileTheServerRestarts() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("cluster")
            let url = try await onOwnThread { try PostgresTestServer.startCluster(in: folder) }
            defer { PostgresTestServer.stopCluster(in: folder) }
            let location = try PostgresLocation(url: url, environment: [:])
            try await PostgresStore.withStore(
                location,
                logger: PostgresStoreTests.logger,
                connectingWithin: PostgresTestServer.connectionLimit
            ) { store in
                let token = try await store.createToken(
                    name: "T",
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: Date()
                )
                let progress = Progress()
                // Each worker goes on until 100 rounds after the server is back, however long the restart takes.
                let rounds = 100
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Transactions and reads, as syncs and requests make them, some in flight at the restart.
                    for worker in 0..<8 {
                        group.addTask {
                            var after = 0
                            while after < rounds {
                                if progress.restarted.load(ordering: .acquiring) { after += 1 }
                                try await Task.sleep(for: .milliseconds(10))
                                do {
                                    if worker.isMultiple(of: 2) {
                                        _ = try await store.renewLease(tokenID: token.id, holder: "h", until: Date())
                                    } else {
                                        _ = try await store.tokens()
                                    }
                                } catch let error as StoreError where error.code == .unavailable {
                                    progress.failures.withLock { $0 += 1 }
                                }
                                progress.rounds.withLock { $0[worker] = after }
                            }
                        }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    try await onOwnThread {
                        PostgresTestServer.stopCluster(in: folder)
                        _ = try PostgresTestServer.startCluster(in: folder)
                    }
                    progress.restarted.store(true, ordering: .releasing)
                    let deadline = ContinuousClock.now + .seconds(30)
                    while progress.rounds.withLock({ $0.contains { $0 < rounds } }), ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let finished = progress.rounds.withLock { $0 }
                    #expect(finished.allSatisfy { $0 == rounds }, "calls cut by the restart never ended: \(finished)")
                    if finished.allSatisfy({ $0 == rounds }) { try await group.waitForAll() } else { group.cancelAll() }
                }
                #expect(progress.failures.withLock { $0 } > 0, "the restart was seen")
            }
        }
    }
}
