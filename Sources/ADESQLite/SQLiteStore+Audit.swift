public import ADECore
import Foundation
import GRDB

extension SQLiteStore: AuditStore {
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_log (at, actor, source, action, target, before_values, after_values)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.at.stored, entry.actor, entry.source.rawValue, entry.action, entry.target,
                    entry.before.map(StoredStrings.json), entry.after.map(StoredStrings.json),
                ]
            )
            var stored = entry
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func auditEntries(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.auditColumns) FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [id, max(0, limit)]
            ).map(Self.auditEntry)
        }
    }

    public func recentAudit(before id: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.auditColumns) FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
                arguments: [id ?? Int64.max, max(0, limit)]
            ).map(Self.auditEntry)
        }
    }

    static let auditColumns = "id, at, actor, source, action, target, before_values, after_values"

    static func auditEntry(from row: Row) -> AuditEntry {
        AuditEntry(
            id: row[0],
            at: Date(stored: row[1]),
            actor: row[2],
            source: AuditEntry.Source(rawValue: row[3]) ?? .cli,
            action: row[4],
            target: row[5],
            before: (row[6] as String?).flatMap(StoredStrings.values(json:)),
            after: (row[7] as String?).flatMap(StoredStrings.values(json:))
        )
    }
}
