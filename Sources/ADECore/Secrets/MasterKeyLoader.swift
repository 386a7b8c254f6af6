import Foundation

/// Finds the master key for a database: `ADE_MASTER_KEY`, else the key file (`ADE_MASTER_KEY_FILE`, by default beside
/// a SQLite database), which is created
/// (mode 0600) only while the database holds no secret. The key is checked against the database's key-check value,
/// which is recorded on first use.
public enum MasterKeyLoader {
    /// Where the key came from (for messages; never the key itself).
    public enum Source: Sendable, Hashable {
        case environment
        case file(String)
        case newFile(String)
    }

    /// The environment variable that holds the key.
    public static let environmentVariable = "ADE_MASTER_KEY"

    /// The environment variable that names the key file.
    public static let fileVariable = "ADE_MASTER_KEY_FILE"

    /// The key file of a database: `ADE_MASTER_KEY_FILE` when set, else `<database>.key` beside a SQLite file.
    public static func keyFilePath(forDatabase path: String, environment: [String: String] = [:]) -> String {
        if let file = environment[fileVariable], !file.isEmpty { return file }
        return path + ".key"
    }

    /// The key as `ADE_MASTER_KEY` or the key file holds it now, without creating one or checking it; nil when
    /// neither has one. A running server reads it again after `ade key rotate` (``MasterKeyWatcher``).
    /// - Throws: ``SecretError`` `invalid_master_key`.
    /// - Parameter keyFilePath: The key file; nil when the key can only come from `ADE_MASTER_KEY` (PostgreSQL
    ///   without `ADE_MASTER_KEY_FILE`).
    public static func current(environment: [String: String], keyFilePath: String?) throws -> (MasterKey, Source)? {
        if let text = environment[environmentVariable], !text.isEmpty {
            return (try MasterKey(base64: text), .environment)
        }
        if let keyFilePath, let data = FileManager.default.contents(atPath: keyFilePath) {
            return (try MasterKey(base64: String(decoding: data, as: UTF8.self)), .file(keyFilePath))
        }
        return nil
    }

    /// Loads (or, for a database without secrets, creates) the master key and checks it against the store.
    /// - Throws: ``SecretError`` `invalid_master_key`, `wrong_master_key`, `master_key_missing`,
    ///   `key_file_unwritable`.
    public static func load(
        environment: [String: String],
        keyFilePath: String?,
        store: some SecretStore
    ) async throws -> (key: MasterKey, source: Source) {
        let key: MasterKey
        let source: Source
        if let (existing, from) = try current(environment: environment, keyFilePath: keyFilePath) {
            key = existing
            source = from
        } else {
            guard let keyFilePath else {
                throw SecretError(.masterKeyMissing, parameters: ["path": fileVariable])
            }
            guard try await !store.hasSecrets(), try await store.keyCheckValue() == nil else {
                throw SecretError(.masterKeyMissing, parameters: ["path": keyFilePath])
            }
            key = MasterKey.generate()
            do {
                try SecureFile.create(keyFilePath, contents: Array((key.base64 + "\n").utf8), mode: 0o600)
            } catch {
                throw SecretError(.keyFileUnwritable, parameters: ["path": keyFilePath])
            }
            source = .newFile(keyFilePath)
        }
        if let check = try await store.keyCheckValue() {
            try key.verify(checkValue: check)
        } else {
            try await store.setKeyCheckValue(key.checkValue)
        }
        return (key, source)
    }
}
