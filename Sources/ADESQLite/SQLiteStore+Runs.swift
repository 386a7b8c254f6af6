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
        try await write { db in try Self.update(run, in: db) }
    }

    static func update(_ run: SyncRun, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE sync_runs SET kind = ?, started_at = ?, ended_at = ?, pages = ?, added = ?, modified = ?,
                    removed = ?, outcome = ?, error_code = ?, error_detail = ?
                WHERE id = ?
                """,
            arguments: [
                run.kind.rawValue, run.startedAt.stored, run.endedAt?.stored, run.pages, run.added, run.modified,
                run.removed, run.outcome.rawValue, run.errorCode,
                run.errorParameters.isEmpty ? nil : StoredStrings.json(run.errorParameters), run.id,
            ]
        )
    }

    public func finishRun(_ run: SyncRun, transition: TokenTransition?) async throws {
        try await write { db in
            try Self.update(run, in: db)
            guard let transition else { return }
            _ = try Self.record(transition, tokenID: run.tokenID, in: db)
        }
    }

    public func transitions(tokenID: Int64, limit: Int) async throws -> [TokenTransition] {
        try await read { db in
            try SQLiteColumns.rows(
                of: db.cachedStatement(
                    sql: """
                        SELECT from_state, to_state, severity, error_code, at FROM token_transitions
                        WHERE token_id = ? ORDER BY id DESC LIMIT ?
                        """
                ),
                arguments: [tokenID, max(0, limit)],
                in: db
            ) { row in
                TokenTransition(
                    from: row.text(0).flatMap(TokenState.init(rawValue:)),
                    to: row.text(1).flatMap(TokenState.init(rawValue:)) ?? .healthy,
                    severity: row.text(2).flatMap(Severity.init(rawValue:)) ?? .ok,
                    errorCode: row.text(3),
                    at: row.requiredDate(4)
                )
            }
        }
    }

    public func runs(tokenID: Int64, limit: Int) async throws -> [SyncRun] {
        try await read { db in
            try SQLiteColumns.rows(
                of: db.cachedStatement(
                    sql: "SELECT \(Self.runColumns) FROM sync_runs WHERE token_id = ? ORDER BY id DESC LIMIT ?"
                ),
                arguments: [tokenID, max(0, limit)],
                in: db
            ) { row in Self.run(from: row) }.compactMap { $0 }
        }
    }

    public func latestRuns() async throws -> [Int64: SyncRun] {
        try await read { db in
            // One index seek per token, however long the history.
            try SQLiteColumns.rows(
                of: db.cachedStatement(
                    sql: """
                        SELECT \(Self.runColumns(of: "r")) FROM tokens t JOIN sync_runs r
                        ON r.id = (SELECT id FROM sync_runs WHERE token_id = t.id ORDER BY id DESC LIMIT 1)
                        """
                ),
                arguments: [],
                in: db
            ) { row in Self.run(from: row) }.reduce(into: [:]) { latest, run in
                if let run { latest[run.tokenID] = run }
            }
        }
    }

    public func runSummaries(tokenIDs: [Int64]?) async throws -> [Int64: RunSummary] {
        try await read { db in
            // The token list's joins: three index seeks per token (sync_runs_by_token, sync_runs_by_outcome).
            let filter = tokenIDs.map { "WHERE t.id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: "SELECT t.id, \(Self.newestRunColumns) FROM tokens t \(Self.newestRunsJoins) \(filter)"
                ),
                arguments: [],
                in: db
            ) { row in (row.int64(0), Self.newestRuns(from: row, at: 1)) }
            .reduce(into: [:]) { summaries, entry in
                if entry.1 != RunSummary() { summaries[entry.0] = entry.1 }
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

    /// The run columns, in the order of ``run(from:at:)``.
    static let runColumns = runColumns(of: nil)

    /// The run columns, qualified by a table alias when one is given.
    static func runColumns(of alias: String?) -> String {
        runColumnNames.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    static let runColumnNames = [
        "id", "token_id", "kind", "started_at", "ended_at", "pages", "added", "modified", "removed", "outcome",
        "error_code", "error_detail",
    ]
    static let runColumnCount = Int32(runColumnNames.count)

    /// A run from ``runColumns`` starting at column `start`, or nil when a left join found none.
    static func run(from row: SQLiteColumns, at start: Int32 = 0) -> SyncRun? {
        guard !row.isNull(start) else { return nil }
        return SyncRun(
            id: row.int64(start),
            tokenID: row.int64(start + 1),
            kind: row.text(start + 2).flatMap(SyncRun.Kind.init(rawValue:)) ?? .delta,
            startedAt: row.requiredDate(start + 3),
            endedAt: row.date(start + 4),
            pages: row.int(start + 5),
            added: row.int(start + 6),
            modified: row.int(start + 7),
            removed: row.int(start + 8),
            outcome: row.text(start + 9).flatMap(SyncRun.Outcome.init(rawValue:)) ?? .interrupted,
            errorCode: row.text(start + 10),
            errorParameters: row.text(start + 11).flatMap(StoredStrings.values(json:)) ?? [:]
        )
    }
}

extension SQLiteStore: LeaseStore {
    public func lease(tokenID: Int64) async throws -> SyncLease? {
        try await read { db in try Self.lease(db, tokenID: tokenID) }
    }

    public func acquireLease(_ lease: SyncLease, now: Date, replacing: String?) async throws -> SyncLease {
        // The read and the write share one write transaction: SQLite's write lock keeps any other process out
        // between them.
        try await write { db in
            if let held = try Self.lease(db, tokenID: lease.tokenID),
                !held.yields(to: lease.holder, now: now, replacing: replacing)
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
