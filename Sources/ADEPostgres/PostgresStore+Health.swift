public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: HealthStore {
    public func tokenFacts(tokenIDs: [Int64]?) async throws -> [Int64: TokenFacts] {
        try await read { connection in
            var values: [any PostgresEncodable & Sendable] = []
            var filter = ""
            if let tokenIDs {
                values.append(tokenIDs)
                filter = "WHERE t.id = ANY($1)"
            }
            var facts: [Int64: TokenFacts] = [:]
            for try await row in try await connection.run(
                Self.query("SELECT t.id, \(Self.factsColumns) FROM tokens t \(Self.factsJoin) \(filter)", values),
                logger: logger
            ) {
                let columns = row.makeRandomAccess()
                facts[try columns[0].decode(Int64.self)] = try Self.facts(from: columns, at: 1)
            }
            return facts
        }
    }

    public func recordTransition(_ transition: TokenTransition, tokenID: Int64) async throws -> Bool {
        try await transaction { connection in try await Self.record(transition, tokenID: tokenID, connection, logger) }
    }

    public func recordExpiryReminder(_ reminder: ExpiryReminder, tokenID: Int64) async throws -> Bool {
        try await transaction { connection in
            guard let token = try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) else {
                return false
            }
            var inserted = false
            for try await _ in try await connection.run(
                """
                INSERT INTO expiry_reminders (token_id, expires_at, step, sent_at)
                VALUES (\(tokenID), \(reminder.expiresAt), \(reminder.step), \(reminder.at))
                ON CONFLICT DO NOTHING RETURNING token_id
                """,
                logger: logger
            ).decode(Int64.self) {
                inserted = true
            }
            guard inserted else { return false }
            try await Self.append([PendingEvent.expiryReminder(token: token, reminder: reminder)], connection, logger)
            return true
        }
    }

    /// A token `t`'s facts as columns (with ``factsJoin``), in the order of ``facts(from:at:)``.
    static let factsColumns = """
        (SELECT COUNT(*) FROM sync_runs r WHERE r.token_id = t.id AND r.outcome = 'failed'
            AND r.id > COALESCE((SELECT MAX(id) FROM sync_runs s WHERE s.token_id = t.id AND s.outcome = 'succeeded'), 0)),
        c.recovery_since,
        (SELECT COUNT(*) FROM device_assignments a WHERE a.token_id = t.id
            AND a.status IN ('failed', 'not_accessible', 'needs_attention')),
        t.present_devices,
        EXISTS (SELECT 1 FROM default_profiles d WHERE d.token_id = t.id)
        """

    static let factsJoin = "LEFT JOIN sync_cursors c ON c.token_id = t.id"

    static let factsColumnCount = 5

    static func facts(from row: PostgresRandomAccessRow, at start: Int) throws -> TokenFacts {
        TokenFacts(
            failureStreak: try row[start].decode(Int.self),
            recoverySince: try row[start + 1].decode(Date?.self),
            failingAssignments: try row[start + 2].decode(Int.self),
            presentDevices: try row[start + 3].decode(Int.self),
            hasDefaultProfile: try row[start + 4].decode(Bool.self)
        )
    }

    /// Moves a token's state from the transition's `from` to its `to` with the history entry and the event, in the
    /// caller's transaction; false when the recorded state is no longer `from`.
    static func record(
        _ transition: TokenTransition,
        tokenID: Int64,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Bool {
        var moved = false
        for try await _ in try await connection.run(
            """
            UPDATE tokens SET state = \(transition.to.rawValue), state_since = \(transition.at)
            WHERE id = \(tokenID) AND state IS NOT DISTINCT FROM \(transition.from?.rawValue)
            RETURNING id
            """,
            logger: logger
        ).decode(Int64.self) {
            moved = true
        }
        guard moved, let token = try await Self.token(connection, "id = $1", [tokenID], logger) else { return false }
        try await connection.run(
            """
            INSERT INTO token_transitions (token_id, from_state, to_state, severity, error_code, at)
            VALUES (\(token.id), \(transition.from?.rawValue), \(transition.to.rawValue),
                \(transition.severity.rawValue), \(transition.errorCode), \(transition.at))
            """,
            logger: logger
        )
        try await append([PendingEvent.tokenState(token: token, transition: transition)], connection, logger)
        return true
    }
}

extension PostgresStore: OutboxStore {
    public func events(after id: Int64, limit: Int) async throws -> [OutboxEvent] {
        try await read { connection in
            var events: [OutboxEvent] = []
            for try await row in try await connection.run(
                """
                SELECT id, token_id, kind, body, created_at FROM outbox WHERE id > \(id) ORDER BY id
                LIMIT \(max(0, limit))
                """,
                logger: logger
            ).decode((Int64, Int64, String, String, Date).self) {
                events.append(
                    OutboxEvent(
                        id: row.0,
                        tokenID: row.1,
                        kind: OutboxEvent.Kind(rawValue: row.2),
                        body: row.3,
                        createdAt: row.4
                    )
                )
            }
            return events
        }
    }

    public func pruneEvents(before date: Date, upTo id: Int64) async throws -> Int {
        try await transaction { connection in
            var count = 0
            for try await _ in try await connection.run(
                "DELETE FROM outbox WHERE created_at < \(date) AND id <= \(id) RETURNING id",
                logger: logger
            ).decode(Int64.self) {
                count += 1
            }
            return count
        }
    }

    /// Writes events in the caller's transaction, so that they commit with their cause or not at all.
    ///
    /// Readers page the outbox by id (`id > last`), so ids must become visible in order: an id taken by a
    /// transaction that commits after a higher one would be skipped. The advisory lock, held to the commit,
    /// makes transactions that write events take their ids and commit one at a time.
    static func append(_ events: [PendingEvent], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !events.isEmpty else { return }
        try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.outboxLockKey))", logger: logger)
        for event in events {
            try await connection.run(
                """
                INSERT INTO outbox (token_id, kind, body, created_at)
                VALUES (\(event.tokenID), \(event.kind.rawValue), \(event.body), \(event.createdAt))
                """,
                logger: logger
            )
        }
    }
}
