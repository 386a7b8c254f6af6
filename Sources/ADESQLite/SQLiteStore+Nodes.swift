public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: SyncRequestStore {
    public func requestSync(tokenID: Int64, at date: Date) async throws {
        try await write { db in
            guard try Self.tokenRow(db, "id = ?", [tokenID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO sync_requests (token_id, requested_at) VALUES (?, ?)",
                arguments: [tokenID, date.stored]
            )
        }
    }

    public func syncRequests() async throws -> [Int64: Date] {
        try await read { db in
            var requests: [Int64: Date] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT token_id, requested_at FROM sync_requests") {
                requests[row[0]] = Date(stored: row[1])
            }
            return requests
        }
    }
}

extension SQLiteStore: NodeStore {
    public func recordHeartbeat(_ node: ClusterNode) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO nodes (id, address, version, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version,
                        seen_at = excluded.seen_at
                    """,
                arguments: [node.id, node.address, node.version, node.startedAt.stored, node.seenAt.stored]
            )
        }
    }

    public func nodes(now: Date) async throws -> [ClusterNode] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, address, version, started_at, seen_at,
                        (SELECT count(*) FROM sync_leases WHERE holder = nodes.id AND expires_at > ?)
                    FROM nodes ORDER BY id
                    """,
                arguments: [now.stored]
            ).map { row in
                ClusterNode(
                    id: row[0],
                    address: row[1],
                    version: row[2],
                    startedAt: Date(stored: row[3]),
                    seenAt: Date(stored: row[4]),
                    tokensHeld: row[5]
                )
            }
        }
    }

    public func removeNode(id: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM nodes WHERE id = ?", arguments: [id]) }
    }

    public func removeNodes(seenBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM nodes WHERE seen_at < ?", arguments: [date.stored])
            return db.changesCount
        }
    }
}
