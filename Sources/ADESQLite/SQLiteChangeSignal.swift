import Foundation
import GRDB
import Synchronization

/// How ``SQLiteStore`` tells that something was committed, without a queue or I/O wait.
///
/// For a file: SQLite's `data_version`, read on a connection of its own that never writes. It changes when any other
/// connection commits — this process's writer, or another process's (`ade api-token revoke`, `ade token delete` while
/// `ade serve` runs) — and reading it touches only the WAL's shared-memory header. For a database in memory, which
/// has one connection: a count of that connection's commits.
final class SQLiteChangeSignal: Sendable {
    private enum Source: Sendable {
        case dataVersion(DatabaseQueue)
        case commits(CommitCounter)
    }

    private let source: Source
    /// Answers after a failed read: each new, so that nothing is answered from memory while the file cannot be read.
    private let failures = Atomic<UInt64>(0)

    /// Watches the database file at `path` (which must exist) through a read-only connection of its own.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "ade.change-signal"
        source = .dataVersion(try DatabaseQueue(path: path, configuration: configuration))
    }

    /// Counts the commits of `writer`, the only connection of a database in memory.
    init(counting writer: some DatabaseWriter) {
        let counter = CommitCounter()
        writer.add(transactionObserver: counter, extent: .databaseLifetime)
        source = .commits(counter)
    }

    /// The current stamp: equal to an earlier one only when nothing was committed in between.
    func stamp() -> UInt64 {
        switch source {
        case .commits(let counter):
            return counter.commits.load(ordering: .acquiring)
        case .dataVersion(let queue):
            do {
                return try Self.dataVersion(queue)
            } catch {
                return 1 << 63 | failures.add(1, ordering: .relaxed).newValue
            }
        }
    }

    /// `PRAGMA data_version` on the calling thread: the queue's `inDatabase` runs the block inline when the queue is
    /// idle, and the statement reads the WAL index in shared memory.
    private static func dataVersion(_ queue: DatabaseQueue) throws -> UInt64 {
        try queue.inDatabase { db in
            UInt64(bitPattern: try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0)
        }
    }
}

/// Counts a connection's commits (GRDB calls `databaseDidCommit` for every commit, whatever the observer observes).
final class CommitCounter: TransactionObserver, Sendable {
    let commits = Atomic<UInt64>(0)

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .releasing) }
    func databaseDidRollback(_ db: Database) {}
}
