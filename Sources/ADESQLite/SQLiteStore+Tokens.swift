public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: TokenStore {
    public func createToken(name: String, baseURL: URL, createdAt: Date) async throws -> EnrollmentToken {
        try await write { db in
            guard try Self.tokenRow(db, "name = ?", [name]) == nil else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            try db.execute(
                sql: "INSERT INTO tokens (name, base_url, created_at) VALUES (?, ?, ?)",
                arguments: [name, baseURL.absoluteString, createdAt.stored]
            )
            return EnrollmentToken(id: db.lastInsertedRowID, name: name, baseURL: baseURL, createdAt: createdAt)
        }
    }

    public func token(id: Int64) async throws -> EnrollmentToken? {
        try await read { db in try Self.tokenRow(db, "id = ?", [id]) }
    }

    public func token(named name: String) async throws -> EnrollmentToken? {
        try await read { db in try Self.tokenRow(db, "name = ?", [name]) }
    }

    public func token(serverUUID: String) async throws -> EnrollmentToken? {
        try await read { db in try Self.tokenRow(db, "server_uuid = ?", [serverUUID]) }
    }

    public func tokens() async throws -> [EnrollmentToken] {
        try await read { db in
            try SQLiteColumns.rows(
                of: db.cachedStatement(sql: "SELECT \(Self.tokenColumns) FROM tokens ORDER BY name COLLATE NOCASE"),
                arguments: [],
                in: db,
                Self.token(from:)
            )
        }
    }

    public func tokens(after name: String?, limit: Int) async throws -> [EnrollmentToken] {
        try await read { db in
            try SQLiteColumns.rows(
                of: db.cachedStatement(
                    sql:
                        "SELECT \(Self.tokenColumns) FROM tokens WHERE name > ? COLLATE NOCASE ORDER BY name COLLATE NOCASE LIMIT ?"
                ),
                arguments: [name ?? "", max(0, limit)],
                in: db,
                Self.token(from:)
            )
        }
    }

    public func updateToken(_ token: EnrollmentToken) async throws {
        try await write { db in
            guard try Self.tokenRow(db, "id = ?", [token.id]) != nil else {
                throw StoreError(.notFound, parameters: ["name": token.name])
            }
            if let other = try Self.tokenRow(db, "name = ? AND id <> ?", [token.name, token.id]) {
                throw StoreError(.duplicateName, parameters: ["name": other.name])
            }
            if let uuid = token.serverUUID,
                let other = try Self.tokenRow(db, "server_uuid = ? AND id <> ?", [uuid, token.id])
            {
                throw StoreError(.duplicateServer, parameters: ["name": other.name])
            }
            try db.execute(
                sql: """
                    UPDATE tokens SET name = ?, base_url = ?, created_at = ?, consumer_key = ?, access_token_expiry = ?,
                        issued_at = ?, server_name = ?, server_uuid = ?, organisation_name = ?, admin_apple_id = ?,
                        uploaded_at = ?, pending_since = ?, sync_interval_seconds = ?
                    WHERE id = ?
                    """,
                arguments: [
                    token.name, token.baseURL.absoluteString, token.createdAt.stored, token.consumerKey,
                    token.accessTokenExpiry?.stored, token.issuedAt?.stored, token.serverName, token.serverUUID,
                    token.organisationName, token.adminAppleID, token.uploadedAt?.stored, token.pendingSince?.stored,
                    token.syncIntervalSeconds, token.id,
                ]
            )
        }
    }

    public func deleteToken(id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE id = ?", arguments: [id])
        }
    }

    static func tokenRow(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws
        -> EnrollmentToken?
    {
        try SQLiteColumns.rows(
            of: db.cachedStatement(sql: "SELECT \(tokenColumns) FROM tokens WHERE \(condition) LIMIT 1"),
            arguments: arguments,
            in: db,
            token(from:)
        ).first
    }

    /// The token columns, in the order of ``token(from:)`` (in SQLiteStore+TokenList.swift).
    static let tokenColumns = tokenColumns(of: nil)

    /// The token columns, each prefixed with `alias.` when given.
    static func tokenColumns(of alias: String?) -> String {
        tokenColumnNames.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    static let tokenColumnNames = [
        "id", "name", "base_url", "created_at", "consumer_key", "access_token_expiry", "issued_at", "server_name",
        "server_uuid", "organisation_name", "admin_apple_id", "uploaded_at", "pending_since", "sync_interval_seconds",
        "state", "state_since",
    ]
    static let tokenColumnCount = Int32(tokenColumnNames.count)

    /// A token from ``tokenColumns`` at the start of a row.
    static func token(from row: SQLiteColumns) -> EnrollmentToken {
        EnrollmentToken(
            id: row.int64(0),
            name: row.text(1) ?? "",
            baseURL: row.text(2).flatMap(URL.init(string:)) ?? DEPServerDefaults.appleBaseURL,
            createdAt: row.requiredDate(3),
            consumerKey: row.text(4),
            accessTokenExpiry: row.date(5),
            issuedAt: row.date(6),
            serverName: row.text(7),
            serverUUID: row.text(8),
            organisationName: row.text(9),
            adminAppleID: row.text(10),
            uploadedAt: row.date(11),
            pendingSince: row.date(12),
            syncIntervalSeconds: row.optionalInt(13),
            recordedState: row.text(14).flatMap(TokenState.init(rawValue:)),
            recordedStateSince: row.date(15)
        )
    }
}

/// Apple's base URL, for a row whose URL no longer parses.
enum DEPServerDefaults {
    static let appleBaseURL = URL(string: "https://mdmenrollment.apple.com")!
}
