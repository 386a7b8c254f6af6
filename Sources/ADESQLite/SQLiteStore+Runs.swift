public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: SyncRunStore {
    public func startRun(tokenID: Int64, kind: SyncRun.Kind, at date: Date) async throws -> SyncRun {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO sync_runs (token_id, kind, started_at, outcome) VALUES (?, ?, ?, ?)",
                arguments: [tokenID, kind.rawValue, date.stored, SyncRun.Outcome.running.rawValue]
            )
            return SyncRun(id: db.lastInsertedRowID, tokenID: tokenID, kind: kind, startedAt: date)
        }
    }

    public func updateRun(_ run: SyncRun) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE sync_runs SET kind = ?, started_at = ?, ended_at = ?, pages = ?, added = ?, modified = ?,
                        removed = ?, outcome = ?, error_code = ?
                    WHERE id = ?
                    """,
                arguments: [
                    run.kind.rawValue, run.startedAt.stored, run.endedAt?.stored, run.pages, run.added, run.modified,
                    run.removed, run.outcome.rawValue, run.errorCode, run.id,
                ]
            )
        }
    }

    public func runs(tokenID: Int64, limit: Int) async throws -> [SyncRun] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.runColumns) FROM sync_runs WHERE token_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [tokenID, max(0, limit)]
            ).map(Self.run(from:))
        }
    }

    public func latestRuns() async throws -> [Int64: SyncRun] {
        try await read { db in
            try Row.fetchAll(
                db,
                // One index seek per token, however long the history.
                sql: """
                    SELECT \(Self.runColumns(of: "r")) FROM tokens t JOIN sync_runs r
                    ON r.id = (SELECT id FROM sync_runs WHERE token_id = t.id ORDER BY id DESC LIMIT 1)
                    """
            ).reduce(into: [:]) { latest, row in
                let run = Self.run(from: row)
                latest[run.tokenID] = run
            }
        }
    }

    public func runSummaries(tokenIDs: [Int64]?) async throws -> [Int64: RunSummary] {
        try await read { db in
            // Three index seeks per token (sync_runs_by_token, sync_runs_by_outcome), then the runs by id.
            let ids = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id AS token_id,
                        (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome <> 'running'
                            ORDER BY id DESC LIMIT 1) AS finished,
                        (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'succeeded'
                            ORDER BY id DESC LIMIT 1) AS succeeded,
                        (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'failed'
                            ORDER BY id DESC LIMIT 1) AS failed
                    FROM tokens t \(tokenIDs.map { "WHERE t.id IN (\($0.map(String.init).joined(separator: ",")))" } ?? "")
                    """
            )
            let wanted = ids.flatMap { row in ["finished", "succeeded", "failed"].compactMap { row[$0] as Int64? } }
            var runs: [Int64: SyncRun] = [:]
            for start in stride(from: 0, to: wanted.count, by: 900) {
                let chunk = Array(Set(wanted[start..<min(start + 900, wanted.count)]))
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.runColumns) FROM sync_runs WHERE id IN (\(placeholders))",
                    arguments: StatementArguments(chunk)
                ) {
                    let run = Self.run(from: row)
                    runs[run.id] = run
                }
            }
            return ids.reduce(into: [:]) { summaries, row in
                let summary = RunSummary(
                    lastFinished: (row["finished"] as Int64?).flatMap { runs[$0] },
                    lastSuccess: (row["succeeded"] as Int64?).flatMap { runs[$0] },
                    lastFailure: (row["failed"] as Int64?).flatMap { runs[$0] }
                )
                if summary != RunSummary() { summaries[row["token_id"] as Int64] = summary }
            }
        }
    }

    public func pruneRuns(tokenID: Int64, keeping: Int) async throws -> Int {
        try await write { db in
            guard keeping > 0 else {
                try db.execute(sql: "DELETE FROM sync_runs WHERE token_id = ?", arguments: [tokenID])
                return db.changesCount
            }
            try db.execute(
                sql: """
                    DELETE FROM sync_runs WHERE token_id = ? AND id < (
                        SELECT id FROM sync_runs WHERE token_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [tokenID, tokenID, keeping - 1]
            )
            return db.changesCount
        }
    }

    /// The run columns, in the order of ``run(from:)``.
    static let runColumns = runColumns(of: nil)

    /// The run columns, qualified by a table alias when one is given.
    static func runColumns(of alias: String?) -> String {
        runColumnNames.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    static let runColumnNames = [
        "id", "token_id", "kind", "started_at", "ended_at", "pages", "added", "modified", "removed", "outcome",
        "error_code",
    ]
    static let runColumnCount = Int32(runColumnNames.count)

    /// A run from a row of ``runColumns``, read by position.
    static func run(from row: Row) -> SyncRun {
        SyncRun(
            id: row[0],
            tokenID: row[1],
            kind: SyncRun.Kind(rawValue: row[2]) ?? .delta,
            startedAt: Date(stored: row[3]),
            endedAt: (row[4] as Double?).map(Date.init(stored:)),
            pages: row[5],
            added: row[6],
            modified: row[7],
            removed: row[8],
            outcome: SyncRun.Outcome(rawValue: row[9]) ?? .interrupted,
            errorCode: row[10]
        )
    }
}

extension SQLiteStore: LeaseStore {
    public func lease(tokenID: Int64) async throws -> SyncLease? {
        try await read { db in try Self.lease(db, tokenID: tokenID) }
    }

    public func acquireLease(_ lease: SyncLease, now: Date, replacing: String?) async throws -> SyncLease {
        try await write { db in
            if let held = try Self.lease(db, tokenID: lease.tokenID), held.holder != lease.holder,
                held.expiresAt > now, held.holder != replacing
            {
                return held
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO sync_leases (token_id, holder, host, process_id, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [lease.tokenID, lease.holder, lease.host, lease.processID, lease.expiresAt.stored]
            )
            return lease
        }
    }

    public func renewLease(tokenID: Int64, holder: String, until: Date) async throws -> Bool {
        try await write { db in try Self.renewLease(db, tokenID: tokenID, holder: holder, until: until) }
    }

    /// Extends `holder`'s lease inside the caller's transaction; false when the lease is not `holder`'s.
    static func renewLease(_ db: Database, tokenID: Int64, holder: String, until: Date) throws -> Bool {
        try db.execute(
            sql: "UPDATE sync_leases SET expires_at = ? WHERE token_id = ? AND holder = ?",
            arguments: [until.stored, tokenID, holder]
        )
        return db.changesCount == 1
    }

    public func releaseLease(tokenID: Int64, holder: String) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM sync_leases WHERE token_id = ? AND holder = ?",
                arguments: [tokenID, holder]
            )
        }
    }

    static func lease(_ db: Database, tokenID: Int64) throws -> SyncLease? {
        try Row.fetchOne(db, sql: "SELECT * FROM sync_leases WHERE token_id = ?", arguments: [tokenID]).map { row in
            SyncLease(
                tokenID: row["token_id"],
                holder: row["holder"],
                host: row["host"],
                processID: row["process_id"],
                expiresAt: Date(stored: row["expires_at"])
            )
        }
    }
}
