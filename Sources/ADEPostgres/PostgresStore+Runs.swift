public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: SyncRunStore {
    public func startRun(tokenID: Int64, kind: SyncRun.Kind, at date: Date) async throws -> SyncRun {
        try await transaction { connection in
            for try await id in try await connection.run(
                """
                INSERT INTO sync_runs (token_id, kind, started_at, outcome)
                VALUES (\(tokenID), \(kind.rawValue), \(date), \(SyncRun.Outcome.running.rawValue)) RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                return SyncRun(id: id, tokenID: tokenID, kind: kind, startedAt: date)
            }
            throw StoreError(.notFound, parameters: ["name": String(tokenID)])
        }
    }

    public func updateRun(_ run: SyncRun) async throws {
        try await transaction { connection in try await Self.update(run, connection, logger) }
    }

    public func finishRun(_ run: SyncRun, transition: TokenTransition?) async throws {
        try await transaction { connection in
            try await Self.update(run, connection, logger)
            guard let transition else { return }
            _ = try await Self.record(transition, tokenID: run.tokenID, connection, logger)
        }
    }

    public func transitions(tokenID: Int64, limit: Int) async throws -> [TokenTransition] {
        try await read { connection in
            var transitions: [TokenTransition] = []
            for try await row in try await connection.run(
                """
                SELECT from_state, to_state, severity, error_code, at FROM token_transitions
                WHERE token_id = \(tokenID) ORDER BY id DESC LIMIT \(max(0, limit))
                """,
                logger: logger
            ).decode((String?, String, String, String?, Date).self) {
                transitions.append(
                    TokenTransition(
                        from: row.0.flatMap(TokenState.init(rawValue:)),
                        to: TokenState(rawValue: row.1) ?? .healthy,
                        severity: Severity(rawValue: row.2) ?? .ok,
                        errorCode: row.3,
                        at: row.4
                    )
                )
            }
            return transitions
        }
    }

    public func runs(tokenID: Int64, limit: Int) async throws -> [SyncRun] {
        try await read { connection in
            try await Self.runs(
                connection,
                "SELECT \(Self.runColumns) FROM sync_runs WHERE token_id = $1 ORDER BY id DESC LIMIT $2",
                [tokenID, max(0, limit)],
                logger
            )
        }
    }

    public func latestRuns() async throws -> [Int64: SyncRun] {
        try await read { connection in
            try await Self.runs(
                connection,
                """
                SELECT \(Self.runColumns(of: "r")) FROM tokens t JOIN sync_runs r
                ON r.id = (SELECT id FROM sync_runs WHERE token_id = t.id ORDER BY id DESC LIMIT 1)
                """,
                [],
                logger
            ).reduce(into: [:]) { latest, run in latest[run.tokenID] = run }
        }
    }

    public func runSummaries(tokenIDs: [Int64]?) async throws -> [Int64: RunSummary] {
        try await read { connection in
            var values: [any PostgresEncodable & Sendable] = []
            var filter = ""
            if let tokenIDs {
                values.append(tokenIDs)
                filter = "WHERE t.id = ANY($1)"
            }
            var summaries: [Int64: RunSummary] = [:]
            for try await row in try await connection.run(
                Self.query(
                    "SELECT t.id, \(Self.newestRunColumns) FROM tokens t \(Self.newestRunsJoins) \(filter)",
                    values
                ),
                logger: logger
            ) {
                let summary = try Self.newestRuns(from: row.makeRandomAccess(), at: 1)
                if summary != RunSummary() { summaries[try row.makeRandomAccess()[0].decode(Int64.self)] = summary }
            }
            return summaries
        }
    }

    public func pruneRuns(tokenID: Int64, keeping: Int) async throws -> Int {
        try await transaction { connection in
            let query: PostgresQuery =
                keeping > 0
                ? """
                DELETE FROM sync_runs WHERE token_id = \(tokenID) AND id < (
                    SELECT id FROM sync_runs WHERE token_id = \(tokenID) ORDER BY id DESC LIMIT 1 OFFSET \(keeping - 1))
                RETURNING id
                """
                : "DELETE FROM sync_runs WHERE token_id = \(tokenID) RETURNING id"
            var count = 0
            for try await _ in try await connection.run(query, logger: logger).decode(Int64.self) { count += 1 }
            return count
        }
    }

    // MARK: - Rows

    static func update(_ run: SyncRun, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.run(
            """
            UPDATE sync_runs SET kind = \(run.kind.rawValue), started_at = \(run.startedAt), ended_at = \(run.endedAt),
                pages = \(run.pages), added = \(run.added), modified = \(run.modified), removed = \(run.removed),
                outcome = \(run.outcome.rawValue), error_code = \(run.errorCode),
                error_detail = \(run.errorParameters.isEmpty ? nil : StoredStrings.json(run.errorParameters))
            WHERE id = \(run.id)
            """,
            logger: logger
        )
    }

    /// The run columns, in the order of ``run(from:at:)``.
    static let runColumns = runColumns(of: nil)

    /// The run columns, qualified by a table alias when one is given.
    static func runColumns(of alias: String?) -> String {
        [
            "id", "token_id", "kind", "started_at", "ended_at", "pages", "added", "modified", "removed", "outcome",
            "error_code", "error_detail",
        ].map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    static let runColumnCount = 12

    static func runs(
        _ connection: PostgresConnection,
        _ sql: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [SyncRun] {
        var runs: [SyncRun] = []
        for try await row in try await connection.run(try query(sql, values), logger: logger) {
            if let run = try run(from: row.makeRandomAccess(), at: 0) { runs.append(run) }
        }
        return runs
    }

    /// A run from ``runColumns`` starting at column `start`, or nil when a left join found none.
    static func run(from row: PostgresRandomAccessRow, at start: Int) throws -> SyncRun? {
        guard let id = try row[start].decode(Int64?.self) else { return nil }
        return SyncRun(
            id: id,
            tokenID: try row[start + 1].decode(Int64.self),
            kind: SyncRun.Kind(rawValue: try row[start + 2].decode(String.self)) ?? .delta,
            startedAt: try row[start + 3].decode(Date.self),
            endedAt: try row[start + 4].decode(Date?.self),
            pages: try row[start + 5].decode(Int.self),
            added: try row[start + 6].decode(Int.self),
            modified: try row[start + 7].decode(Int.self),
            removed: try row[start + 8].decode(Int.self),
            outcome: SyncRun.Outcome(rawValue: try row[start + 9].decode(String.self)) ?? .interrupted,
            errorCode: try row[start + 10].decode(String?.self),
            errorParameters: try row[start + 11].decode(String?.self).flatMap(StoredStrings.values(json:)) ?? [:]
        )
    }

    /// The columns of a token's newest finished (`f`), successful (`s`) and failed (`x`) runs, joined by
    /// ``newestRunsJoins`` to a token `t`.
    static let newestRunColumns = "\(runColumns(of: "f")), \(runColumns(of: "s")), \(runColumns(of: "x"))"

    static let newestRunsJoins = """
        LEFT JOIN sync_runs f ON f.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome <> 'running'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs s ON s.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'succeeded'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs x ON x.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'failed'
            ORDER BY id DESC LIMIT 1)
        """

    /// The runs of ``newestRunColumns`` starting at column `start`.
    static func newestRuns(from row: PostgresRandomAccessRow, at start: Int) throws -> RunSummary {
        RunSummary(
            lastFinished: try run(from: row, at: start),
            lastSuccess: try run(from: row, at: start + runColumnCount),
            lastFailure: try run(from: row, at: start + 2 * runColumnCount)
        )
    }

    /// A query of SQL with `$n` placeholders and its values.
    static func query(_ sql: String, _ values: [any PostgresEncodable & Sendable]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

extension PostgresStore: LeaseStore {
    public func lease(tokenID: Int64) async throws -> SyncLease? {
        try await read { connection in try await Self.lease(connection, tokenID: tokenID, locking: false, logger) }
    }

    public func acquireLease(_ lease: SyncLease, now: Date, replacing: String?) async throws -> SyncLease {
        try await transaction { connection in
            // Nodes racing for a token meet on its row: the token is locked first, so the second reads the lease
            // the first wrote and is refused by the same rule (SyncLease.yields).
            guard try await Self.token(connection, "id = $1 FOR UPDATE", [lease.tokenID], logger) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(lease.tokenID)])
            }
            if let held = try await Self.lease(connection, tokenID: lease.tokenID, locking: true, logger),
                !held.yields(to: lease.holder, now: now, replacing: replacing)
            {
                return held
            }
            try await connection.run(
                """
                INSERT INTO sync_leases (token_id, holder, host, process_id, expires_at)
                VALUES (\(lease.tokenID), \(lease.holder), \(lease.host), \(lease.processID),
                    \(lease.expiresAt))
                ON CONFLICT (token_id) DO UPDATE SET holder = excluded.holder, host = excluded.host,
                    process_id = excluded.process_id, expires_at = excluded.expires_at
                """,
                logger: logger
            )
            return lease
        }
    }

    public func renewLease(tokenID: Int64, holder: String, until: Date) async throws -> Bool {
        try await transaction { connection in
            try await Self.renewLease(connection, tokenID: tokenID, holder: holder, until: until, logger)
        }
    }

    public func releaseLease(tokenID: Int64, holder: String) async throws {
        try await transaction { connection in
            try await connection.run(
                "DELETE FROM sync_leases WHERE token_id = \(tokenID) AND holder = \(holder)",
                logger: logger
            )
        }
    }

    /// Extends `holder`'s lease inside the caller's transaction; false when the lease is not `holder`'s.
    static func renewLease(
        _ connection: PostgresConnection,
        tokenID: Int64,
        holder: String,
        until: Date,
        _ logger: Logger
    ) async throws -> Bool {
        for try await _ in try await connection.run(
            """
            UPDATE sync_leases SET expires_at = \(until) WHERE token_id = \(tokenID) AND holder = \(holder)
            RETURNING token_id
            """,
            logger: logger
        ).decode(Int64.self) {
            return true
        }
        return false
    }

    static func lease(_ connection: PostgresConnection, tokenID: Int64, locking: Bool, _ logger: Logger) async throws
        -> SyncLease?
    {
        let query: PostgresQuery =
            locking
            ? """
            SELECT token_id, holder, host, process_id, expires_at FROM sync_leases WHERE token_id = \(tokenID)
            FOR UPDATE
            """
            : "SELECT token_id, holder, host, process_id, expires_at FROM sync_leases WHERE token_id = \(tokenID)"
        for try await row in try await connection.run(query, logger: logger).decode(
            (Int64, String, String, Int32, Date).self
        ) {
            return SyncLease(
                tokenID: row.0,
                holder: row.1,
                host: row.2,
                processID: row.3,
                expiresAt: row.4
            )
        }
        return nil
    }
}
