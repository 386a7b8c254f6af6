import ADECore
import Foundation
import GRDB

/// The SQLite ``ADEStore`` (GRDB): one file, WAL mode, versioned migrations; the default store, for one node.
///
/// Secrets arrive sealed and are stored as sealed blobs; the file alone reveals none.
public final class SQLiteStore: Sendable {
    let database: any DatabaseWriter
    /// What ``changeStamp()`` reads.
    let changes: SQLiteChangeSignal
    /// Where the database lives (`:memory:` for an in-memory one).
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Throws: ``StoreError`` `unavailable` or `migration_failed`.
    public convenience init(path: String) throws {
        let pool: DatabasePool
        let changes: SQLiteChangeSignal
        do {
            try Self.createPrivately(path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // WAL with synchronous=NORMAL: a commit does not wait for the disk, a checkpoint does. A crashed or
            // killed process loses nothing committed, and a power cut can only lose the last commits whole — each
            // page and its cursor stay together, and Apple is asked again for what was lost.
            // Checkpoints every 32,768 pages (128 MB of WAL) rather than SQLite's 1,000: a full fetch rewrites the
            // same index pages page after page, and each checkpoint copies a page once however often it changed
            // (measured: 1,000 → 31,000 devices/s, 32,768 → 50,000 at a million devices). The WAL file is cut back
            // to 64 MB after a checkpoint.
            // The writer's page cache is 16 MB rather than SQLite's 2 MB: a page of 1,000 devices in Apple's random
            // serial order dirties about 1,000 pages of the serial index, which then stay in memory until the commit
            // instead of spilling to the WAL mid-transaction and being read back (measured at a million devices:
            // 52,000 → 54,000 devices/s, 3 s less system time, peak RSS +15 MB). Readers keep the default.
            // Readers map the file (up to SQLite's 2 GB limit) and read its pages in place rather than copying each
            // through a read call: a page of 100 devices touches about 100 table pages scattered by arrival order
            // (measured with the API token from memory, a million devices: 2,000–2,500 → 2,700–3,060 requests/s).
            // The writer does not: the pages a mapping touches count in the process's resident memory, and a full
            // fetch of a million devices touches most of the file (peak RSS of `ade sync` 237 MB mapped, against the
            // 200 MB target; 66–69 MB without).
            configuration.prepareDatabase { db in
                try db.execute(
                    sql: """
                        PRAGMA synchronous = NORMAL;
                        PRAGMA wal_autocheckpoint = 32768;
                        """
                )
                if db.configuration.readonly {
                    try db.execute(sql: "PRAGMA mmap_size = 2147418112")
                } else {
                    try db.execute(sql: "PRAGMA cache_size = -16384")
                }
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            changes = try SQLiteChangeSignal(path: path)
        } catch {
            throw StoreError(.unavailable, parameters: ["path": path, "detail": Self.detail(error)])
        }
        try self.init(database: pool, path: path, changes: changes)
    }

    /// Creates the database's folder (0700) and an empty database file (0600) when they do not exist yet. The file
    /// holds password and API-token hashes, the inventory and the audit log; SQLite gives its `-wal` and `-shm` files
    /// the database file's mode. Existing folders and files keep theirs.
    static func createPrivately(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        do {
            try SecureFile.create(path, contents: [], mode: 0o600)
        } catch .exists {
            return
        }
    }

    /// A database in memory, for tests.
    public static func inMemory() throws -> SQLiteStore {
        do {
            let queue = try DatabaseQueue()
            return try SQLiteStore(database: queue, path: ":memory:", changes: SQLiteChangeSignal(counting: queue))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, parameters: ["path": ":memory:", "detail": Self.detail(error)])
        }
    }

    private init(database: any DatabaseWriter, path: String, changes: SQLiteChangeSignal) throws {
        self.database = database
        self.path = path
        self.changes = changes
        try migrate()
    }

    private func migrate() throws {
        do {
            try SQLiteSchema.migrator.migrate(database)
        } catch {
            throw StoreError(.migrationFailed, parameters: ["detail": Self.detail(error)])
        }
    }

    /// Runs a read on one of ``readQueue``'s threads, mapping database failures to ``StoreError``.
    ///
    /// GRDB's own `async` read moves twice — to the pool's waiting queue for a free connection, then to that
    /// connection's queue — and each move wakes a thread. Here the read moves once: its thread takes a connection and
    /// reads on the spot (GRDB's blocking read), then the caller resumes. Reads stay off Swift's cooperative threads,
    /// which must not block. Measured at a million devices, device list pages of 100, same hour, alternating runs:
    /// 1,679 and 1,987 → 2,284 and 2,304 requests/s, server CPU 1.00 and 0.85 → 0.74 ms a request.
    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try Task.checkCancellation()
        do {
            let database = self.database
            return try await withCheckedThrowingContinuation { continuation in
                Self.readQueue.async {
                    continuation.resume(with: Result { try Self.blockingRead(database, body) })
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, parameters: ["path": path, "detail": Self.detail(error)])
        }
    }

    /// Where reads run: a concurrent queue, so readers of the pool's connections work side by side. At the default
    /// priority, as the HTTP threads: at `userInitiated` its threads ran ahead of them (more requests/s, but a wider
    /// spread: device list p99 23–26 ms against 21 ms at 50 connections).
    static let readQueue = DispatchQueue(label: "ade.sqlite.read", qos: .default, attributes: .concurrent)

    /// GRDB's blocking read (a connection of the pool, a read transaction), for a thread that may block.
    private static func blockingRead<T>(_ database: any DatabaseWriter, _ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    /// Runs a write transaction, mapping database failures to ``StoreError``; other errors pass through.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch let error as DatabaseError {
            throw StoreError(.unavailable, parameters: ["path": path, "detail": Self.detail(error)])
        }
    }

    /// Copies the write-ahead log into the database file (a passive checkpoint: it waits for nobody, and what a
    /// reader still uses stays for the next one). Once the log is all copied, reads skip it instead of looking each
    /// page up in its index — at a million devices, after a full fetch, up to 32,768 pages in 8 hash tables (3 % of a
    /// device list request's CPU). Failures are left to SQLite's own checkpoints.
    func checkpoint() async {
        _ = try? await database.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// A database error's message, without the SQL arguments (which could hold sealed data).
    static func detail(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return String(describing: error)
    }
}

extension Date {
    /// Seconds since 1970, as stored.
    var stored: Double { timeIntervalSince1970 }

    init(stored: Double) {
        self.init(timeIntervalSince1970: stored)
    }
}
