import Crypto
public import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A private key and the self-signed certificate an admin uploads to Apple Business Manager.
public struct TokenKeyPair: Sendable {
    /// The private key; keep it secret, ABM's tokens can only be read with it.
    public let privateKey: TokenPrivateKey
    /// The certificate holding the public key.
    public let certificate: TokenCertificate

    /// The common name used when the admin names none.
    public static let defaultCommonName = "ade"
    /// The validity used when the admin gives none: long enough that the same certificate still covers the first
    /// renewal a year later.
    public static let defaultValidityDays = 730
    /// The accepted validity range in days.
    public static let validityDaysRange = 1...3650

    /// Pairs a key with its certificate.
    /// - Throws: `key_certificate_mismatch` when the certificate holds another key.
    public init(privateKey: TokenPrivateKey, certificate: TokenCertificate) throws {
        guard certificate.matches(privateKey) else {
            throw ServerTokenError(.keyCertificateMismatch, reason: "certificate does not hold this key's public half")
        }
        self.privateKey = privateKey
        self.certificate = certificate
    }

    /// Generates an RSA-2048 key pair and a self-signed X.509 v3 certificate for it.
    ///
    /// The certificate has key usage keyEncipherment and digitalSignature (both critical, as nanodep's), is not a
    /// CA, and carries a subject key identifier.
    /// - Parameters:
    ///   - commonName: The subject's common name (1 to 64 characters, the X.520 limit).
    ///   - notValidBefore: The start of validity; the caller's clock decides "now".
    ///   - validityDays: Days of validity, within ``validityDaysRange``.
    /// - Throws: `invalid_parameter` for a bad name or validity; `crypto_failure` if the library fails.
    public static func generate(
        commonName: String = defaultCommonName,
        notValidBefore: Date,
        validityDays: Int = defaultValidityDays
    ) throws -> TokenKeyPair {
        try checkParameters(commonName: commonName, validityDays: validityDays)
        let signingKey: _RSA.Signing.PrivateKey
        do {
            signingKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        } catch {
            throw ServerTokenError(.cryptoFailure, reason: "key generation failed: \(type(of: error))")
        }
        return try certify(
            signingKey,
            commonName: commonName,
            notValidBefore: notValidBefore,
            validityDays: validityDays
        )
    }

    /// Makes a self-signed certificate for an existing key, such as one imported from another tool: tokens already
    /// encrypted to that key keep decrypting, and the certificate can be uploaded to ABM again.
    /// - Throws: `invalid_parameter`; `crypto_failure`.
    public static func certify(
        _ privateKey: TokenPrivateKey,
        commonName: String = defaultCommonName,
        notValidBefore: Date,
        validityDays: Int = defaultValidityDays
    ) throws -> TokenKeyPair {
        try checkParameters(commonName: commonName, validityDays: validityDays)
        let signingKey: _RSA.Signing.PrivateKey
        do {
            signingKey = try _RSA.Signing.PrivateKey(derRepresentation: privateKey.rsaKey.derRepresentation)
        } catch {
            throw ServerTokenError(.unsupportedKey, parameters: ["key": "RSA"], reason: "key cannot sign")
        }
        return try certify(
            signingKey,
            commonName: commonName,
            notValidBefore: notValidBefore,
            validityDays: validityDays
        )
    }

    private static func certify(
        _ signingKey: _RSA.Signing.PrivateKey,
        commonName: String,
        notValidBefore: Date,
        validityDays: Int
    ) throws -> TokenKeyPair {
        do {
            let publicKey = Certificate.PublicKey(signingKey.publicKey)
            let name = try DistinguishedName { CommonName(commonName) }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidBefore.addingTimeInterval(TimeInterval(validityDays) * 86_400),
                issuer: name,
                subject: name,
                signatureAlgorithm: .sha256WithRSAEncryption,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    SubjectKeyIdentifier(hash: publicKey)
                },
                issuerPrivateKey: Certificate.PrivateKey(signingKey)
            )
            let privateKey = try TokenPrivateKey(derRepresentation: signingKey.derRepresentation)
            return try TokenKeyPair(privateKey: privateKey, certificate: TokenCertificate(certificate))
        } catch let error as ServerTokenError {
            throw error
        } catch {
            throw ServerTokenError(.cryptoFailure, reason: "certificate generation failed: \(type(of: error))")
        }
    }

    private static func checkParameters(commonName: String, validityDays: Int) throws {
        guard (1...64).contains(commonName.count), !commonName.contains(where: { $0.isNewline }) else {
            throw ServerTokenError(
                .invalidParameter,
                parameters: ["parameter": "common-name", "allowed": "1-64"],
                reason: "common name must be 1 to 64 characters on one line"
            )
        }
        guard validityDaysRange.contains(validityDays) else {
            throw ServerTokenError(
                .invalidParameter,
                parameters: [
                    "parameter": "days",
                    "allowed": "\(validityDaysRange.lowerBound)-\(validityDaysRange.upperBound)",
                ],
                reason: "validity of \(validityDays) days is out of range"
            )
        }
    }
}
