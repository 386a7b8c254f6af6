public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: AttemptStore {
    public func recordAttempt(_ kind: AttemptKind, key: String, at date: Date) async throws {
        try await transaction { connection in
            try await connection.run(
                "INSERT INTO attempts (kind, key, at) VALUES (\(kind.rawValue), \(key), \(date))",
                logger: logger
            )
        }
    }

    public func attempts(_ kind: AttemptKind, key: String, after date: Date, limit: Int) async throws -> [Date] {
        try await read { connection in
            var times: [Date] = []
            for try await time in try await connection.run(
                """
                SELECT at FROM attempts WHERE kind = \(kind.rawValue) AND key = \(key) AND at > \(date)
                ORDER BY at DESC LIMIT \(max(0, limit))
                """,
                logger: logger
            ).decode(Date.self) {
                times.append(time)
            }
            return times
        }
    }

    public func clearAttempts(_ kind: AttemptKind, key: String) async throws {
        try await transaction { connection in
            try await connection.run(
                "DELETE FROM attempts WHERE kind = \(kind.rawValue) AND key = \(key)",
                logger: logger
            )
        }
    }

    public func pruneAttempts(before date: Date, keeping: Int) async throws -> Int {
        try await transaction { connection in
            var pruned = 0
            for query: PostgresQuery in [
                "DELETE FROM attempts WHERE at <= \(date) RETURNING 1",
                """
                DELETE FROM attempts
                WHERE ctid NOT IN (SELECT ctid FROM attempts ORDER BY at DESC LIMIT \(max(0, keeping)))
                RETURNING 1
                """,
            ] {
                for try await _ in try await connection.run(query, logger: logger) { pruned += 1 }
            }
            return pruned
        }
    }

    public func attemptCount() async throws -> Int {
        try await read { connection in
            for try await count in try await connection.run("SELECT count(*) FROM attempts", logger: logger)
                .decode(Int.self)
            {
                return count
            }
            return 0
        }
    }
}

extension PostgresStore: SetupLinkStore {
    public func openSetupLink(digest: String, at date: Date) async throws {
        try await transaction { connection in
            try await connection.run(
                "INSERT INTO setup_links (digest, opened_at) VALUES (\(digest), \(date)) ON CONFLICT DO NOTHING",
                logger: logger
            )
        }
    }

    public func isSetupLinkOpen(digest: String?) async throws -> Bool {
        try await read { connection in
            var query: PostgresQuery = "SELECT EXISTS (SELECT 1 FROM setup_links)"
            if let digest { query = try "SELECT EXISTS (SELECT 1 FROM setup_links WHERE digest = \(digest))" }
            for try await open in try await connection.run(query, logger: logger).decode(Bool.self) {
                return open
            }
            return false
        }
    }

    public func closeSetupLinks(digest: String) async throws -> Bool {
        // Of two callers racing, the second waits for the first's row locks, finds the rows gone and deletes none.
        try await transaction { connection in
            var closed = false
            for try await deleted in try await connection.run(
                """
                DELETE FROM setup_links WHERE EXISTS (SELECT 1 FROM setup_links WHERE digest = \(digest))
                RETURNING digest
                """,
                logger: logger
            ).decode(String.self) {
                closed = closed || deleted == digest
            }
            return closed
        }
    }
}
