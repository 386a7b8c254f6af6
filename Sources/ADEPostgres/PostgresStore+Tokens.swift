public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: TokenStore {
    public func createToken(name: String, baseURL: URL, createdAt: Date) async throws -> EnrollmentToken {
        try await transaction { connection in
            guard try await Self.token(connection, "lower(name) = lower($1)", [name], logger) == nil else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            let rows = try await connection.run(
                """
                INSERT INTO tokens (name, base_url, created_at) VALUES (\(name), \(baseURL.absoluteString), \(createdAt))
                RETURNING id
                """,
                logger: logger
            )
            var id: Int64 = 0
            for try await value in rows.decode(Int64.self) { id = value }
            return EnrollmentToken(id: id, name: name, baseURL: baseURL, createdAt: createdAt)
        }
    }

    public func token(id: Int64) async throws -> EnrollmentToken? {
        try await read { connection in try await Self.token(connection, "id = $1", [id], logger) }
    }

    public func token(named name: String) async throws -> EnrollmentToken? {
        try await read { connection in try await Self.token(connection, "lower(name) = lower($1)", [name], logger) }
    }

    public func token(serverUUID: String) async throws -> EnrollmentToken? {
        try await read { connection in try await Self.token(connection, "server_uuid = $1", [serverUUID], logger) }
    }

    public func tokens() async throws -> [EnrollmentToken] {
        try await read { connection in
            try await Self.tokens(connection, "TRUE ORDER BY lower(name), id", [], logger)
        }
    }

    public func tokens(after name: String?, limit: Int) async throws -> [EnrollmentToken] {
        try await read { connection in
            try await Self.tokens(
                connection,
                "lower(name) > lower($1) ORDER BY lower(name), id LIMIT $2",
                [name ?? "", max(0, limit)],
                logger
            )
        }
    }

    public func updateToken(_ token: EnrollmentToken) async throws {
        try await transaction { connection in
            guard try await Self.token(connection, "id = $1 FOR UPDATE", [token.id], logger) != nil else {
                throw StoreError(.notFound, parameters: ["name": token.name])
            }
            if let other = try await Self.token(
                connection,
                "lower(name) = lower($1) AND id <> $2",
                [token.name, token.id],
                logger
            ) {
                throw StoreError(.duplicateName, parameters: ["name": other.name])
            }
            if let uuid = token.serverUUID,
                let other = try await Self.token(connection, "server_uuid = $1 AND id <> $2", [uuid, token.id], logger)
            {
                throw StoreError(.duplicateServer, parameters: ["name": other.name])
            }
            try await connection.run(
                """
                UPDATE tokens SET name = \(token.name), base_url = \(token.baseURL.absoluteString),
                    created_at = \(token.createdAt), consumer_key = \(token.consumerKey),
                    access_token_expiry = \(token.accessTokenExpiry), issued_at = \(token.issuedAt),
                    server_name = \(token.serverName), server_uuid = \(token.serverUUID),
                    organisation_name = \(token.organisationName), admin_apple_id = \(token.adminAppleID),
                    uploaded_at = \(token.uploadedAt), pending_since = \(token.pendingSince),
                    sync_interval_seconds = \(token.syncIntervalSeconds.map(Int32.init))
                WHERE id = \(token.id)
                """,
                logger: logger
            )
        }
    }

    public func deleteToken(id: Int64) async throws {
        try await transaction { connection in
            // Devices have no foreign key to their token (``PostgresSchema``'s version 4): they go here, under the
            // token's row lock, which every writer of a token's devices takes first.
            try await connection.run("SELECT id FROM tokens WHERE id = \(id) FOR UPDATE", logger: logger)
            try await connection.run("DELETE FROM devices WHERE token_id = \(id)", logger: logger)
            try await connection.run("DELETE FROM tokens WHERE id = \(id)", logger: logger)
        }
    }

    // MARK: - Rows

    /// The token columns, in the order of ``TokenRow``.
    static let tokenColumns = tokenColumns(of: nil)

    /// The token columns, each prefixed with `alias.` when given.
    static func tokenColumns(of alias: String?) -> String {
        [
            "id", "name", "base_url", "created_at", "consumer_key", "access_token_expiry", "issued_at", "server_name",
            "server_uuid", "organisation_name", "admin_apple_id", "uploaded_at", "pending_since",
            "sync_interval_seconds", "state", "state_since",
        ].map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    /// A token from the first 16 columns of a row (``tokenColumns``).
    static func token(from row: PostgresRandomAccessRow) throws -> EnrollmentToken {
        token(
            from: (
                try row[0].decode(Int64.self), try row[1].decode(String.self), try row[2].decode(String.self),
                try row[3].decode(Date.self), try row[4].decode(String?.self), try row[5].decode(Date?.self),
                try row[6].decode(Date?.self), try row[7].decode(String?.self), try row[8].decode(String?.self),
                try row[9].decode(String?.self), try row[10].decode(String?.self), try row[11].decode(Date?.self),
                try row[12].decode(Date?.self), try row[13].decode(Int32?.self), try row[14].decode(String?.self),
                try row[15].decode(Date?.self)
            )
        )
    }

    typealias TokenRow = (
        Int64, String, String, Date, String?, Date?, Date?, String?, String?, String?, String?, Date?, Date?, Int32?,
        String?, Date?
    )

    static func token(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> EnrollmentToken? {
        try await tokens(connection, condition + " LIMIT 1", values, logger).first
    }

    static func tokens(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [EnrollmentToken] {
        let statement = try query("SELECT \(tokenColumns) FROM tokens WHERE \(condition)", values)
        var tokens: [EnrollmentToken] = []
        for try await row in try await connection.run(statement, logger: logger).decode(TokenRow.self) {
            tokens.append(token(from: row))
        }
        return tokens
    }

    static func token(from row: TokenRow) -> EnrollmentToken {
        EnrollmentToken(
            id: row.0,
            name: row.1,
            baseURL: URL(string: row.2) ?? URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: row.3,
            consumerKey: row.4,
            accessTokenExpiry: row.5,
            issuedAt: row.6,
            serverName: row.7,
            serverUUID: row.8,
            organisationName: row.9,
            adminAppleID: row.10,
            uploadedAt: row.11,
            pendingSince: row.12,
            syncIntervalSeconds: row.13.map(Int.init),
            recordedState: row.14.flatMap(TokenState.init(rawValue:)),
            recordedStateSince: row.15
        )
    }

    /// Runs a read on one connection of the pool.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw mapped(error)
        }
    }
}
