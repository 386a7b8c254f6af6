public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: AccessStore {
    public func createUser(name: String, passwordHash: String, at date: Date) async throws -> ConsoleUser {
        try await transaction { connection in
            guard try await Self.users(connection, "lower(name) = lower($1)", [name], logger).isEmpty else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            for try await id in try await connection.run(
                """
                INSERT INTO users (name, password_hash, created_at, password_changed_at)
                VALUES (\(name), \(passwordHash), \(date), \(date)) RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                return ConsoleUser(
                    id: id,
                    name: name,
                    passwordHash: passwordHash,
                    createdAt: date,
                    passwordChangedAt: date
                )
            }
            throw StoreError(.notFound, parameters: ["name": name])
        }
    }

    public func users() async throws -> [ConsoleUser] {
        try await read { connection in try await Self.users(connection, "TRUE ORDER BY lower(name), id", [], logger) }
    }

    public func user(id: Int64) async throws -> ConsoleUser? {
        try await read { connection in try await Self.users(connection, "id = $1", [id], logger).first }
    }

    public func user(named name: String) async throws -> ConsoleUser? {
        try await read { connection in
            try await Self.users(connection, "lower(name) = lower($1)", [name], logger).first
        }
    }

    public func setPassword(userID: Int64, passwordHash: String, at date: Date) async throws {
        try await transaction { connection in
            guard
                try await Self.count(
                    connection,
                    """
                    UPDATE users SET password_hash = \(passwordHash), password_changed_at = \(date) WHERE id = \(userID)
                    RETURNING id
                    """,
                    logger
                ) == 1
            else {
                throw StoreError(.notFound, parameters: ["name": String(userID)])
            }
            try await connection.run("DELETE FROM sessions WHERE user_id = \(userID)", logger: logger)
        }
    }

    public func deleteUser(id: Int64) async throws {
        try await transaction { connection in
            guard try await Self.count(connection, "DELETE FROM users WHERE id = \(id) RETURNING id", logger) == 1
            else {
                throw StoreError(.notFound, parameters: ["name": String(id)])
            }
        }
    }

    public func createSession(_ session: ConsoleSession) async throws {
        try await transaction { connection in
            guard try await !Self.users(connection, "id = $1 FOR UPDATE", [session.userID], logger).isEmpty else {
                throw StoreError(.notFound, parameters: ["name": String(session.userID)])
            }
            try await connection.run(
                """
                INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
                VALUES (\(session.idHash), \(session.userID), \(session.csrfToken), \(session.createdAt),
                    \(session.expiresAt))
                """,
                logger: logger
            )
        }
    }

    public func session(idHash: String, now: Date) async throws -> ConsoleSession? {
        try await read { connection in
            for try await row in try await connection.run(
                """
                SELECT id_hash, user_id, csrf_token, created_at, expires_at FROM sessions
                WHERE id_hash = \(idHash) AND expires_at > \(now)
                """,
                logger: logger
            ).decode((String, Int64, String, Date, Date).self) {
                return ConsoleSession(
                    idHash: row.0,
                    userID: row.1,
                    csrfToken: row.2,
                    createdAt: row.3,
                    expiresAt: row.4
                )
            }
            return nil
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await transaction { connection in
            try await connection.run("DELETE FROM sessions WHERE id_hash = \(idHash)", logger: logger)
        }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await transaction { connection in
            try await Self.count(
                connection,
                "DELETE FROM sessions WHERE expires_at <= \(now) RETURNING user_id",
                logger
            )
        }
    }

    public func createAPIToken(name: String, scope: APIToken.Scope, secretHash: String, at date: Date) async throws
        -> APIToken
    {
        try await transaction { connection in
            guard try await Self.apiTokens(connection, "lower(name) = lower($1)", [name], logger).isEmpty else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            for try await id in try await connection.run(
                """
                INSERT INTO api_tokens (name, scope, secret_hash, created_at)
                VALUES (\(name), \(scope.rawValue), \(secretHash), \(date)) RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                return APIToken(id: id, name: name, scope: scope, secretHash: secretHash, createdAt: date)
            }
            throw StoreError(.notFound, parameters: ["name": name])
        }
    }

    public func apiTokens() async throws -> [APIToken] {
        try await read { connection in
            try await Self.apiTokens(connection, "TRUE ORDER BY lower(name), id", [], logger)
        }
    }

    public func apiToken(secretHash: String) async throws -> APIToken? {
        try await read { connection in
            try await Self.apiTokens(connection, "secret_hash = $1", [secretHash], logger).first
        }
    }

    public func touchAPIToken(id: Int64, at date: Date) async throws {
        try await transaction { connection in
            try await connection.run("UPDATE api_tokens SET last_used_at = \(date) WHERE id = \(id)", logger: logger)
        }
    }

    public func deleteAPIToken(id: Int64) async throws {
        try await transaction { connection in
            guard
                try await Self.count(connection, "DELETE FROM api_tokens WHERE id = \(id) RETURNING id", logger) == 1
            else {
                throw StoreError(.notFound, parameters: ["name": String(id)])
            }
        }
    }

    // MARK: - Rows

    static func users(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [ConsoleUser] {
        var users: [ConsoleUser] = []
        for try await row in try await connection.run(
            query(
                "SELECT id, name, password_hash, created_at, password_changed_at FROM users WHERE \(condition)",
                values
            ),
            logger: logger
        ).decode((Int64, String, String, Date, Date).self) {
            users.append(
                ConsoleUser(id: row.0, name: row.1, passwordHash: row.2, createdAt: row.3, passwordChangedAt: row.4)
            )
        }
        return users
    }

    static func apiTokens(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [APIToken] {
        var tokens: [APIToken] = []
        for try await row in try await connection.run(
            query(
                "SELECT id, name, scope, secret_hash, created_at, last_used_at FROM api_tokens WHERE \(condition)",
                values
            ),
            logger: logger
        ).decode((Int64, String, String, String, Date, Date?).self) {
            tokens.append(
                APIToken(
                    id: row.0,
                    name: row.1,
                    scope: APIToken.Scope(rawValue: row.2) ?? .read,
                    secretHash: row.3,
                    createdAt: row.4,
                    lastUsedAt: row.5
                )
            )
        }
        return tokens
    }

    /// How many rows a statement with `RETURNING` gave.
    static func count(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.run(query, logger: logger) { count += 1 }
        return count
    }
}
