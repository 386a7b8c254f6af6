public import ADECore
import Foundation
import GRDB

extension SQLiteStore: SecretStore {
    public func keyCheckValue() async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = 'key_check'") }
    }

    public func setKeyCheckValue(_ value: String) async throws {
        try await write { db in try Self.storeKeyCheck(db, value) }
    }

    public func hasSecrets() async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM token_secrets WHERE credentials IS NOT NULL
                        OR pending_credentials IS NOT NULL OR current_key IS NOT NULL OR staging_key IS NOT NULL)
                        OR EXISTS (SELECT 1 FROM webhooks)
                    """
            ) ?? false
        }
    }

    public func secrets(tokenID: Int64) async throws -> SealedTokenSecrets {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM token_secrets WHERE token_id = ?", arguments: [tokenID])
                .map(Self.secrets(from:)) ?? SealedTokenSecrets()
        }
    }

    public func setSecrets(_ secrets: SealedTokenSecrets, tokenID: Int64, sealedWith keyCheck: String?) async throws {
        try await write { db in
            guard try Self.tokenRow(db, "id = ?", [tokenID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            try Self.checkKey(keyCheck, in: db)
            try Self.storeSecrets(db, secrets, tokenID: tokenID)
        }
    }

    /// ``KeyRotation/admit(sealedWith:stored:)`` inside the write's transaction, recording the key check of a
    /// database's first secret: a rotation committed by another process is seen here, never after.
    static func checkKey(_ keyCheck: String?, in db: Database) throws {
        let stored = try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = 'key_check'")
        if let first = try KeyRotation.admit(sealedWith: keyCheck, stored: stored) { try storeKeyCheck(db, first) }
    }

    public func resealAll(newKeyCheckValue: String, _ reseal: KeyRotation.Reseal) async throws {
        // GRDB's write closure must escape; the reseal runs inside it, synchronously, before it returns.
        try await withoutActuallyEscaping(reseal) { reseal in
            try await write { db in
                for row in try Row.fetchAll(db, sql: "SELECT * FROM token_secrets") {
                    let tokenID: Int64 = row["token_id"]
                    let resealed = try KeyRotation.reseal(Self.secrets(from: row), tokenID: tokenID, with: reseal)
                    try Self.storeSecrets(db, resealed, tokenID: tokenID)
                }
                for row in try Row.fetchAll(db, sql: "SELECT id, sealed_url, sealed_secret FROM webhooks") {
                    let (url, secret) = try KeyRotation.resealWebhook(
                        url: [UInt8](row["sealed_url"] as Data),
                        secret: [UInt8](row["sealed_secret"] as Data),
                        with: reseal
                    )
                    try db.execute(
                        sql: "UPDATE webhooks SET sealed_url = ?, sealed_secret = ? WHERE id = ?",
                        arguments: [Data(url), Data(secret), row["id"] as Int64]
                    )
                }
                try Self.storeKeyCheck(db, newKeyCheckValue)
            }
        }
    }

    static func storeKeyCheck(_ db: Database, _ value: String) throws {
        try db.execute(
            sql:
                "INSERT INTO metadata (key, value) VALUES ('key_check', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [value]
        )
    }

    static func storeSecrets(_ db: Database, _ secrets: SealedTokenSecrets, tokenID: Int64) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO token_secrets (token_id, credentials, pending_credentials, current_key,
                    current_certificate, staging_key, staging_certificate)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                tokenID, secrets.credentials.map { Data($0) }, secrets.pendingCredentials.map { Data($0) },
                secrets.currentKey.map { Data($0) }, secrets.currentCertificate, secrets.stagingKey.map { Data($0) },
                secrets.stagingCertificate,
            ]
        )
    }

    static func secrets(from row: Row) -> SealedTokenSecrets {
        func bytes(_ column: String) -> [UInt8]? { (row[column] as Data?).map { Array($0) } }
        return SealedTokenSecrets(
            credentials: bytes("credentials"),
            pendingCredentials: bytes("pending_credentials"),
            currentKey: bytes("current_key"),
            currentCertificate: row["current_certificate"],
            stagingKey: bytes("staging_key"),
            stagingCertificate: row["staging_certificate"]
        )
    }
}
