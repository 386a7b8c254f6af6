public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: SyncRequestStore {
    public func requestSync(tokenID: Int64, at date: Date) async throws {
        try await transaction { connection in
            guard try await Self.token(connection, "id = $1", [tokenID], logger) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            try await connection.run(
                """
                INSERT INTO sync_requests (token_id, requested_at) VALUES (\(tokenID), \(date))
                ON CONFLICT (token_id) DO UPDATE SET requested_at = excluded.requested_at
                """,
                logger: logger
            )
        }
    }

    public func syncRequests() async throws -> [Int64: Date] {
        try await read { connection in
            var requests: [Int64: Date] = [:]
            for try await (tokenID, date) in try await connection.run(
                "SELECT token_id, requested_at FROM sync_requests",
                logger: logger
            ).decode((Int64, Date).self) {
                requests[tokenID] = date
            }
            return requests
        }
    }
}

extension PostgresStore: NodeStore {
    public func recordHeartbeat(_ node: ClusterNode) async throws {
        try await transaction { connection in
            try await connection.run(
                """
                INSERT INTO nodes (id, address, version, started_at, seen_at)
                VALUES (\(node.id), \(node.address), \(node.version), \(node.startedAt), \(node.seenAt))
                ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version,
                    seen_at = excluded.seen_at
                """,
                logger: logger
            )
        }
    }

    public func nodes(now: Date) async throws -> [ClusterNode] {
        try await read { connection in
            var nodes: [ClusterNode] = []
            for try await row in try await connection.run(
                """
                SELECT id, address, version, started_at, seen_at,
                    (SELECT count(*) FROM sync_leases WHERE holder = nodes.id AND expires_at > \(now))
                FROM nodes ORDER BY id
                """,
                logger: logger
            ).decode((String, String?, String, Date, Date, Int64).self) {
                nodes.append(
                    ClusterNode(
                        id: row.0,
                        address: row.1,
                        version: row.2,
                        startedAt: row.3,
                        seenAt: row.4,
                        tokensHeld: Int(row.5)
                    )
                )
            }
            return nodes
        }
    }

    public func removeNode(id: String) async throws {
        try await transaction { connection in
            try await connection.run("DELETE FROM nodes WHERE id = \(id)", logger: logger)
        }
    }

    public func removeNodes(seenBefore date: Date) async throws -> Int {
        try await transaction { connection in
            var removed = 0
            for try await _ in try await connection.run(
                "DELETE FROM nodes WHERE seen_at < \(date) RETURNING id",
                logger: logger
            ).decode(String.self) {
                removed += 1
            }
            return removed
        }
    }
}
