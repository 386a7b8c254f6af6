public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: OutboxStore {
    public func events(after id: Int64, limit: Int) async throws -> [OutboxEvent] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, token_id, kind, body, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?"
                ),
                arguments: [id, max(0, limit)]
            ).map { row in
                OutboxEvent(
                    id: row[0],
                    tokenID: row[1],
                    kind: OutboxEvent.Kind(rawValue: row[2]),
                    body: row[3],
                    createdAt: Date(stored: row[4])
                )
            }
        }
    }

    public func pruneEvents(before date: Date, upTo id: Int64) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE created_at < ? AND id <= ?", arguments: [date.stored, id])
            return db.changesCount
        }
    }

    /// Writes events in the caller's transaction, so that they commit with their cause or not at all.
    static func append(_ events: [PendingEvent], in db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO outbox (token_id, kind, body, created_at) VALUES (?, ?, ?, ?)"
        )
        for event in events {
            try statement.execute(arguments: [event.tokenID, event.kind.rawValue, event.body, event.createdAt.stored])
        }
    }
}
