/// Moving every sealed secret from one master key to another, and the rule that keeps a secret from being stored
/// under a key the database no longer has. Each store applies both as written here.
public enum KeyRotation {
    /// The fields of ``SealedTokenSecrets`` that hold sealed data, with their sealing context's field name.
    static var fields: [(WritableKeyPath<SealedTokenSecrets, [UInt8]?>, String)] {
        [
            (\.credentials, "credentials"), (\.pendingCredentials, "pending_credentials"),
            (\.currentKey, "current_key"), (\.stagingKey, "staging_key"),
        ]
    }

    /// Turns a sealed value into the same secret sealed under another key; `context` is the one it was sealed for.
    public typealias Reseal = @Sendable (_ sealed: [UInt8], _ context: String) throws -> [UInt8]

    /// A box's reseal: opens with `old`, seals with `new`.
    public static func reseal(from old: SecretBox, to new: SecretBox) -> Reseal {
        { sealed, context in new.seal(try old.open(sealed, context: context), context: context) }
    }

    /// A token's secrets with every sealed field resealed.
    /// - Throws: What `reseal` throws (a field that does not open with the old key).
    public static func reseal(
        _ secrets: SealedTokenSecrets,
        tokenID: Int64,
        with reseal: Reseal
    ) throws -> SealedTokenSecrets {
        var resealed = secrets
        for (field, name) in fields {
            guard let sealed = secrets[keyPath: field] else { continue }
            resealed[keyPath: field] = try reseal(sealed, SecretBox.context(tokenID: tokenID, field: name))
        }
        return resealed
    }

    /// A webhook's or alert channel's sealed URL and secret, resealed.
    public static func resealWebhook(
        url: [UInt8],
        secret: [UInt8],
        with reseal: Reseal
    ) throws -> (url: [UInt8], secret: [UInt8]) {
        (try reseal(url, WebhookService.urlContext), try reseal(secret, WebhookService.secretContext))
    }

    /// Admits a write of secrets sealed with the key whose check value is `sealedWith` into a database whose key
    /// check is `stored`: when they are the same key, when the database has none yet, or when the writer states none
    /// (a test's raw bytes). Each store calls it inside the write's transaction.
    /// - Returns: The key check the store records with the write: the writer's, when the database had none.
    /// - Throws: ``StoreError`` `master_key_changed` when the database's key is another (nothing may be written).
    public static func admit(sealedWith: String?, stored: String?) throws -> String? {
        guard let sealedWith else { return nil }
        guard let stored else { return sealedWith }
        guard sealedWith == stored else { throw StoreError(.masterKeyChanged) }
        return nil
    }
}
