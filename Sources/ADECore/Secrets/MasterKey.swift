import Crypto
import Foundation

/// The key that encrypts every secret `ade` stores (OAuth secrets, private keys, session tokens): 32 random bytes,
/// written as base64 in `ADE_MASTER_KEY` or in a key file beside the database.
///
/// The database keeps the key's ``checkValue``, never the key: a wrong key is recognised before anything is
/// decrypted. The key never appears in a description.
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key's length in bytes.
    public static let byteCount = 32

    let key: SymmetricKey

    /// Reads a key from its base64 text (surrounding white space ignored).
    /// - Throws: `invalid_master_key`, saying whether the text is not base64 or decodes to the wrong length.
    public init(base64 text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw SecretError(.invalidMasterKey, parameters: ["problem": "empty"])
        }
        guard let data = Data(base64Encoded: trimmed) else {
            throw SecretError(.invalidMasterKey, parameters: ["problem": "not base64"])
        }
        guard data.count == Self.byteCount else {
            throw SecretError(
                .invalidMasterKey,
                parameters: ["problem": "\(data.count) bytes instead of \(Self.byteCount)"]
            )
        }
        key = SymmetricKey(data: data)
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// A new random key.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// The key as base64, for the key file. Handle it as the secret it is.
    public var base64: String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A value that identifies the key without revealing it: HMAC-SHA256 of a fixed label, 16 bytes in hex.
    public var checkValue: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("ade master key check v1".utf8), using: key)
        return Data(mac).prefix(16).hexString
    }

    /// Whether this key produced `checkValue`, compared in constant time.
    public func matches(checkValue other: String) -> Bool {
        let mine = Array(checkValue.utf8)
        let theirs = Array(other.utf8)
        guard mine.count == theirs.count else { return false }
        return zip(mine, theirs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Checks the key against the database's key-check value.
    /// - Throws: `wrong_master_key`.
    public func verify(checkValue: String) throws {
        guard matches(checkValue: checkValue) else { throw SecretError(.wrongMasterKey) }
    }

    public var description: String { "MasterKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
