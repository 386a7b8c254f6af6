/// Moves a token's sealed secrets from one master key to another, field by field, each under its own context.
public enum KeyRotation {
    /// The fields of ``SealedTokenSecrets`` that hold sealed data, with their sealing context's field name.
    static var fields: [(WritableKeyPath<SealedTokenSecrets, [UInt8]?>, String)] {
        [
            (\.credentials, "credentials"), (\.pendingCredentials, "pending_credentials"),
            (\.currentKey, "current_key"), (\.stagingKey, "staging_key"),
        ]
    }

    /// Opens every sealed field with `old` and seals it again with `new`.
    /// - Throws: ``SecretError`` when a field does not open with the old key.
    public static func reseal(
        _ secrets: SealedTokenSecrets,
        tokenID: Int64,
        from old: SecretBox,
        to new: SecretBox
    ) throws -> SealedTokenSecrets {
        var resealed = secrets
        for (field, name) in fields {
            guard let sealed = secrets[keyPath: field] else { continue }
            let context = SecretBox.context(tokenID: tokenID, field: name)
            resealed[keyPath: field] = new.seal(try old.open(sealed, context: context), context: context)
        }
        return resealed
    }
}
