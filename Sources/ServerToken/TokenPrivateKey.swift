import Crypto
public import Foundation
import SwiftASN1
public import _CryptoExtras

/// The RSA private key a server token is encrypted to.
///
/// Read from PEM in PKCS #1 (`RSA PRIVATE KEY`, as `ade` and nanodep write it) or PKCS #8 (`PRIVATE KEY`), or from
/// DER. The key material never appears in a description, a dump or an error.
public struct TokenPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key's PKCS #1 DER; swift-crypto's key type is not `Sendable`, its bytes are.
    private let der: [UInt8]

    /// The key, for decryption.
    public var rsaKey: _RSA.Encryption.PrivateKey {
        // These bytes came from a key that parsed (see the initialisers), so they parse again.
        try! _RSA.Encryption.PrivateKey(unsafeDERRepresentation: der)
    }

    /// Wraps an RSA key.
    /// - Throws: `unsupported_key` under 2048 bits.
    public init(_ rsaKey: _RSA.Encryption.PrivateKey) throws {
        self.der = Array(rsaKey.derRepresentation)
        try Self.checkSize(rsaKey)
    }

    /// Reads a PEM private key.
    /// - Throws: `invalid_private_key` (not a key, encrypted, damaged) or `unsupported_key` (not RSA, or under 2048
    ///   bits); the error names the problem, never the key.
    public init(pemRepresentation pem: String) throws {
        guard let begin = pem.range(of: "-----BEGIN ") else {
            throw ServerTokenError(.invalidPrivateKey, reason: "no PEM block in private key file")
        }
        let label = pem[begin.upperBound...].prefix { $0 != "-" }
        switch label {
        case "RSA PRIVATE KEY" where pem.contains("Proc-Type: 4,ENCRYPTED"), "ENCRYPTED PRIVATE KEY":
            throw ServerTokenError(
                .invalidPrivateKey,
                parameters: ["problem": "encrypted"],
                reason: "private key is protected by a passphrase"
            )
        case "RSA PRIVATE KEY", "PRIVATE KEY":
            break
        case "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY":
            throw ServerTokenError(
                .unsupportedKey,
                parameters: ["key": String(label)],
                reason: "\(label) is not an RSA key"
            )
        default:
            throw ServerTokenError(
                .invalidPrivateKey,
                parameters: ["label": String(label.prefix(40))],
                reason: "PEM block is not a private key"
            )
        }
        let key: _RSA.Encryption.PrivateKey
        do {
            key = try _RSA.Encryption.PrivateKey(unsafePEMRepresentation: pem)
        } catch {
            throw ServerTokenError(.invalidPrivateKey, reason: "PEM private key does not parse as RSA")
        }
        try self.init(key)
    }

    /// Reads a DER private key, PKCS #1 or PKCS #8.
    public init(derRepresentation der: some DataProtocol) throws {
        let key: _RSA.Encryption.PrivateKey
        do {
            key = try _RSA.Encryption.PrivateKey(unsafeDERRepresentation: der)
        } catch {
            throw ServerTokenError(.invalidPrivateKey, reason: "DER private key does not parse as RSA")
        }
        try self.init(key)
    }

    private static func checkSize(_ rsaKey: _RSA.Encryption.PrivateKey) throws {
        guard rsaKey.keySizeInBits >= 2048 else {
            throw ServerTokenError(
                .unsupportedKey,
                parameters: ["key": "RSA-\(rsaKey.keySizeInBits)"],
                reason: "RSA key of \(rsaKey.keySizeInBits) bits is below 2048"
            )
        }
    }

    /// PKCS #1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form `ade token keypair` writes.
    public var pemRepresentation: String { rsaKey.pemRepresentation }

    /// PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pkcs8PEMRepresentation: String { rsaKey.pkcs8PEMRepresentation }

    /// The public half.
    public var publicKey: _RSA.Encryption.PublicKey { rsaKey.publicKey }

    public var description: String { "TokenPrivateKey(RSA, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
