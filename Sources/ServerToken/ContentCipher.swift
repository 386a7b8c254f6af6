import Crypto
public import SwiftASN1
import _CryptoExtras

/// The cipher of a server token's content. ABM uses AES-128-CBC; AES-192 and AES-256 in CBC mode are accepted too.
///
/// Other CMS ciphers (3DES, which `openssl smime` picks by default, DES, RC2, AES-GCM) are recognised by name and
/// refused with `unsupported_algorithm`: no Swift package implements the legacy ones, and `ade` writes no block
/// cipher of its own.
public enum ContentCipher: String, Sendable, CaseIterable {
    case aes128CBC = "aes-128-cbc"
    case aes192CBC = "aes-192-cbc"
    case aes256CBC = "aes-256-cbc"

    /// Reads a content-encryption algorithm identifier.
    /// - Returns: The cipher and its IV.
    /// - Throws: `unsupported_algorithm` naming the cipher; `malformed_cms` when the IV is missing or not 16 bytes.
    public static func from(_ identifier: CMSAlgorithmIdentifier) throws -> (cipher: ContentCipher, iv: [UInt8]) {
        let cipher: ContentCipher
        switch identifier.algorithm {
        case CMSObjectIdentifiers.aes128CBC: cipher = .aes128CBC
        case CMSObjectIdentifiers.aes192CBC: cipher = .aes192CBC
        case CMSObjectIdentifiers.aes256CBC: cipher = .aes256CBC
        default:
            throw ServerTokenError(
                .unsupportedAlgorithm,
                parameters: ["algorithm": identifier.name, "suggestion": "AES-128-CBC, AES-192-CBC or AES-256-CBC"],
                reason: "content cipher \(identifier.name) is not supported"
            )
        }
        guard let parameters = identifier.parameters,
            let iv = try? ASN1OctetString(berASN1Any: parameters), iv.bytes.count == 16
        else {
            throw ServerTokenError(.malformedCMS, reason: "\(identifier.name) has no 16-byte IV")
        }
        return (cipher, Array(iv.bytes))
    }

    /// The algorithm's object identifier.
    public var objectIdentifier: ASN1ObjectIdentifier {
        switch self {
        case .aes128CBC: return CMSObjectIdentifiers.aes128CBC
        case .aes192CBC: return CMSObjectIdentifiers.aes192CBC
        case .aes256CBC: return CMSObjectIdentifiers.aes256CBC
        }
    }

    /// The key length in bytes.
    public var keyByteCount: Int {
        switch self {
        case .aes128CBC: return 16
        case .aes192CBC: return 24
        case .aes256CBC: return 32
        }
    }

    /// Decrypts and removes the PKCS #7 padding; throws when the key is wrong or the ciphertext damaged.
    func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        guard key.count == keyByteCount, ciphertext.count % 16 == 0, !ciphertext.isEmpty else {
            throw ServerTokenError(.decryptionFailed, reason: "key or ciphertext length does not fit \(rawValue)")
        }
        return Array(try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: .init(ivBytes: iv)))
    }

    /// Encrypts with PKCS #7 padding.
    func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        Array(try AES._CBC.encrypt(plaintext, using: SymmetricKey(data: key), iv: .init(ivBytes: iv)))
    }
}
