public import ADECore
import Foundation
import GRDB

extension SQLiteStore: HealthStore {
    public func tokenFacts(tokenIDs: [Int64]?) async throws -> [Int64: TokenFacts] {
        try await read { db in
            // Per token: failed runs after the newest success (sync_runs_by_outcome), the failing assignment records
            // (three seeks in device_assignments_by_status), a default profile, the cursor's recovery.
            let filter = tokenIDs.map { "WHERE t.id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: "SELECT t.id, \(Self.factsColumns) FROM tokens t \(Self.factsJoin) \(filter)"
                ),
                arguments: [],
                in: db
            ) { row in (row.int64(0), Self.facts(from: row, at: 1)) }
            .reduce(into: [:]) { facts, entry in facts[entry.0] = entry.1 }
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

    static let factsColumnCount: Int32 = 5

    static func facts(from row: SQLiteColumns, at start: Int32) -> TokenFacts {
        TokenFacts(
            failureStreak: row.int(start),
            recoverySince: row.date(start + 1),
            failingAssignments: row.int(start + 2),
            presentDevices: row.int(start + 3),
            hasDefaultProfile: row.int(start + 4) != 0
        )
    }

    public func recordTransition(_ transition: TokenTransition, tokenID: Int64) async throws -> Bool {
        try await write { db in try Self.record(transition, tokenID: tokenID, in: db) }
    }

    public func recordExpiryReminder(_ reminder: ExpiryReminder, tokenID: Int64) async throws -> Bool {
        try await write { db in
            guard let token = try Self.tokenRow(db, "id = ?", [tokenID]) else { return false }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO expiry_reminders (token_id, expires_at, step, sent_at) VALUES (?, ?, ?, ?)
                    """,
                arguments: [tokenID, reminder.expiresAt.stored, reminder.step, reminder.at.stored]
            )
            guard db.changesCount > 0 else { return false }
            try Self.append([PendingEvent.expiryReminder(token: token, reminder: reminder)], in: db)
            return true
        }
    }

    /// Moves a token's state from the transition's `from` to its `to` with the history entry and the event, in the
    /// caller's transaction; false when the recorded state is no longer `from`.
    static func record(_ transition: TokenTransition, tokenID: Int64, in db: Database) throws -> Bool {
        try db.execute(
            sql: "UPDATE tokens SET state = ?, state_since = ? WHERE id = ? AND state IS ?",
            arguments: [transition.to.rawValue, transition.at.stored, tokenID, transition.from?.rawValue]
        )
        guard db.changesCount > 0, let token = try tokenRow(db, "id = ?", [tokenID]) else { return false }
        try db.execute(
            sql: """
                INSERT INTO token_transitions (token_id, from_state, to_state, severity, error_code, at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                token.id, transition.from?.rawValue, transition.to.rawValue, transition.severity.rawValue,
                transition.errorCode, transition.at.stored,
            ]
        )
        try append([PendingEvent.tokenState(token: token, transition: transition)], in: db)
        return true
    }
}
