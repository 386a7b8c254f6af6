import Crypto
import Foundation

/// The random values that grant access (API tokens, session cookies, setup links) and the digests the store keeps
/// of them.
public enum AccessSecret {
    /// The prefix of every API token's value, so that a leaked one is recognisable (secret scanners, logs).
    public static let apiTokenPrefix = "ade_"

    /// 256 random bits, base64url without padding (43 characters).
    public static func random() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64URLEncoded
    }

    /// A new API token's value: ``apiTokenPrefix`` and 256 random bits.
    public static func newAPIToken() -> String {
        apiTokenPrefix + random()
    }

    /// SHA-256 of a value, in lowercase hex: what the store keeps.
    public static func digest(_ value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).hexString
    }
}

extension Data {
    /// Base64url (RFC 4648 §5) without padding.
    var base64URLEncoded: String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
