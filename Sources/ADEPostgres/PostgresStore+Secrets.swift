public import ADECore
import Foundation
import PostgresNIO

extension PostgresStore: SecretStore {
    public func keyCheckValue() async throws -> String? {
        try await read { connection in try await Self.keyCheck(connection, logger, locking: false) }
    }

    public func setKeyCheckValue(_ value: String) async throws {
        try await transaction { connection in try await Self.storeKeyCheck(connection, value, logger) }
    }

    public func hasSecrets() async throws -> Bool {
        try await read { connection in
            let rows = try await connection.run(
                """
                SELECT EXISTS (SELECT 1 FROM token_secrets WHERE credentials IS NOT NULL
                    OR pending_credentials IS NOT NULL OR current_key IS NOT NULL OR staging_key IS NOT NULL)
                    OR EXISTS (SELECT 1 FROM webhooks)
                """,
                logger: logger
            )
            for try await exists in rows.decode(Bool.self) { return exists }
            return false
        }
    }

    public func secrets(tokenID: Int64) async throws -> SealedTokenSecrets {
        try await read { connection in
            try await Self.secrets(connection, "token_id = $1", [tokenID], logger).first?.secrets
                ?? SealedTokenSecrets()
        }
    }

    public func setSecrets(_ secrets: SealedTokenSecrets, tokenID: Int64, sealedWith keyCheck: String?) async throws {
        try await transaction { connection in
            guard try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            try await Self.checkKey(keyCheck, connection, logger)
            try await Self.storeSecrets(connection, secrets, tokenID: tokenID, logger)
        }
    }

    public func resealAll(newKeyCheckValue: String, _ reseal: KeyRotation.Reseal) async throws {
        try await transaction { connection in
            // The key check's row is locked first: a write that checks the key waits for the rotation, then sees
            // the new check value and is refused.
            _ = try await Self.keyCheck(connection, logger, locking: true)
            for (tokenID, secrets) in try await Self.secrets(connection, "TRUE", [], logger) {
                let resealed = try KeyRotation.reseal(secrets, tokenID: tokenID, with: reseal)
                try await Self.storeSecrets(connection, resealed, tokenID: tokenID, logger)
            }
            var webhooks: [(Int64, [UInt8], [UInt8])] = []
            for try await (id, url, secret) in try await connection.run(
                "SELECT id, sealed_url, sealed_secret FROM webhooks FOR UPDATE",
                logger: logger
            ).decode((Int64, Data, Data).self) {
                webhooks.append((id, Array(url), Array(secret)))
            }
            for (id, url, secret) in webhooks {
                let (newURL, newSecret) = try KeyRotation.resealWebhook(url: url, secret: secret, with: reseal)
                try await connection.run(
                    "UPDATE webhooks SET sealed_url = \(Data(newURL)), sealed_secret = \(Data(newSecret)) WHERE id = \(id)",
                    logger: logger
                )
            }
            try await Self.storeKeyCheck(connection, newKeyCheckValue, logger)
        }
    }

    // MARK: - Rows

    /// ``KeyRotation/admit(sealedWith:stored:)`` inside the write's transaction, the key check's row locked so that
    /// a rotation committing meanwhile is waited for and then seen, recording the key check of a database's first
    /// secret.
    static func checkKey(_ keyCheck: String?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let stored = try await Self.keyCheck(connection, logger, locking: true)
        if let first = try KeyRotation.admit(sealedWith: keyCheck, stored: stored) {
            try await storeKeyCheck(connection, first, logger)
        }
    }

    static func keyCheck(_ connection: PostgresConnection, _ logger: Logger, locking: Bool) async throws -> String? {
        let query: PostgresQuery =
            locking
            ? "SELECT value FROM metadata WHERE key = 'key_check' FOR UPDATE"
            : "SELECT value FROM metadata WHERE key = 'key_check'"
        for try await value in try await connection.run(query, logger: logger).decode(String.self) {
            return value
        }
        return nil
    }

    static func storeKeyCheck(_ connection: PostgresConnection, _ value: String, _ logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO metadata (key, value) VALUES ('key_check', \(value))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """,
            logger: logger
        )
    }

    static func storeSecrets(
        _ connection: PostgresConnection,
        _ secrets: SealedTokenSecrets,
        tokenID: Int64,
        _ logger: Logger
    ) async throws {
        try await connection.run(
            """
            INSERT INTO token_secrets (token_id, credentials, pending_credentials, current_key, current_certificate,
                staging_key, staging_certificate)
            VALUES (\(tokenID), \(secrets.credentials.map { Data($0) }), \(secrets.pendingCredentials.map { Data($0) }),
                \(secrets.currentKey.map { Data($0) }), \(secrets.currentCertificate),
                \(secrets.stagingKey.map { Data($0) }), \(secrets.stagingCertificate))
            ON CONFLICT (token_id) DO UPDATE SET credentials = excluded.credentials,
                pending_credentials = excluded.pending_credentials, current_key = excluded.current_key,
                current_certificate = excluded.current_certificate, staging_key = excluded.staging_key,
                staging_certificate = excluded.staging_certificate
            """,
            logger: logger
        )
    }

    static func secrets(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [(tokenID: Int64, secrets: SealedTokenSecrets)] {
        let statement = try query(
            """
            SELECT token_id, credentials, pending_credentials, current_key, current_certificate, staging_key,
                staging_certificate
            FROM token_secrets WHERE \(condition) ORDER BY token_id FOR UPDATE
            """,
            values
        )
        var found: [(Int64, SealedTokenSecrets)] = []
        for try await row in try await connection.run(statement, logger: logger).decode(
            (Int64, Data?, Data?, Data?, String?, Data?, String?).self
        ) {
            found.append(
                (
                    row.0,
                    SealedTokenSecrets(
                        credentials: row.1.map(Array.init),
                        pendingCredentials: row.2.map(Array.init),
                        currentKey: row.3.map(Array.init),
                        currentCertificate: row.4,
                        stagingKey: row.5.map(Array.init),
                        stagingCertificate: row.6
                    )
                )
            )
        }
        return found.map { (tokenID: $0.0, secrets: $0.1) }
    }
}
