public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: AccessStore {
    public func createUser(name: String, passwordHash: String, at date: Date) async throws -> ConsoleUser {
        try await write { db in
            guard try Self.userRow(db, "name = ?", [name]) == nil else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            try db.execute(
                sql: "INSERT INTO users (name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)",
                arguments: [name, passwordHash, date.stored, date.stored]
            )
            return ConsoleUser(
                id: db.lastInsertedRowID,
                name: name,
                passwordHash: passwordHash,
                createdAt: date,
                passwordChangedAt: date
            )
        }
    }

    public func users() async throws -> [ConsoleUser] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name COLLATE NOCASE").map(Self.user(from:))
        }
    }

    public func user(id: Int64) async throws -> ConsoleUser? {
        try await read { db in try Self.userRow(db, "id = ?", [id]) }
    }

    public func user(named name: String) async throws -> ConsoleUser? {
        try await read { db in try Self.userRow(db, "name = ?", [name]) }
    }

    public func setPassword(userID: Int64, passwordHash: String, at date: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                arguments: [passwordHash, date.stored, userID]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, parameters: ["name": String(userID)]) }
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [userID])
        }
    }

    public func deleteUser(id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, parameters: ["name": String(id)]) }
        }
    }

    public func createSession(_ session: ConsoleSession) async throws {
        try await write { db in
            guard try Self.userRow(db, "id = ?", [session.userID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(session.userID)])
            }
            try db.execute(
                sql: """
                    INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.idHash, session.userID, session.csrfToken, session.createdAt.stored,
                    session.expiresAt.stored,
                ]
            )
        }
    }

    public func session(idHash: String, now: Date) async throws -> ConsoleSession? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?",
                arguments: [idHash, now.stored]
            ).map { row in
                ConsoleSession(
                    idHash: row["id_hash"],
                    userID: row["user_id"],
                    csrfToken: row["csrf_token"],
                    createdAt: Date(stored: row["created_at"]),
                    expiresAt: Date(stored: row["expires_at"])
                )
            }
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now.stored])
            return db.changesCount
        }
    }

    public func createAPIToken(name: String, scope: APIToken.Scope, secretHash: String, at date: Date) async throws
        -> APIToken
    {
        try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT id FROM api_tokens WHERE name = ?", arguments: [name]) == nil
            else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            try db.execute(
                sql: "INSERT INTO api_tokens (name, scope, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, scope.rawValue, secretHash, date.stored]
            )
            return APIToken(
                id: db.lastInsertedRowID,
                name: name,
                scope: scope,
                secretHash: secretHash,
                createdAt: date
            )
        }
    }

    public func apiTokens() async throws -> [APIToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY name COLLATE NOCASE")
                .map(Self.apiToken(from:))
        }
    }

    public func apiToken(secretHash: String) async throws -> APIToken? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE secret_hash = ?", arguments: [secretHash])
                .map(Self.apiToken(from:))
        }
    }

    public func touchAPIToken(id: Int64, at date: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [date.stored, id])
        }
    }

    public func deleteAPIToken(id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, parameters: ["name": String(id)]) }
        }
    }

    // MARK: - Rows

    static func userRow(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws -> ConsoleUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE \(condition)", arguments: arguments).map(user(from:))
    }

    static func user(from row: Row) -> ConsoleUser {
        ConsoleUser(
            id: row["id"],
            name: row["name"],
            passwordHash: row["password_hash"],
            createdAt: Date(stored: row["created_at"]),
            passwordChangedAt: Date(stored: row["password_changed_at"])
        )
    }

    static func apiToken(from row: Row) -> APIToken {
        APIToken(
            id: row["id"],
            name: row["name"],
            scope: APIToken.Scope(rawValue: row["scope"]) ?? .read,
            secretHash: row["secret_hash"],
            createdAt: Date(stored: row["created_at"]),
            lastUsedAt: (row["last_used_at"] as Double?).map(Date.init(stored:))
        )
    }
}
