import Crypto
public import Foundation
import SwiftASN1
public import X509
public import _CryptoExtras

/// The X.509 certificate an admin uploads to Apple Business Manager: ABM encrypts the server token to its RSA key.
public struct TokenCertificate: Sendable, Hashable {
    /// The certificate.
    public let certificate: Certificate

    /// Wraps a certificate.
    public init(_ certificate: Certificate) {
        self.certificate = certificate
    }

    /// Reads a PEM certificate (`-----BEGIN CERTIFICATE-----`).
    /// - Throws: `invalid_certificate`.
    public init(pemRepresentation pem: String) throws {
        do {
            self.certificate = try Certificate(pemEncoded: pem)
        } catch {
            throw ServerTokenError(.invalidCertificate, reason: "PEM does not hold an X.509 certificate")
        }
    }

    /// Reads a DER certificate.
    /// - Throws: `invalid_certificate`.
    public init(derRepresentation der: [UInt8]) throws {
        do {
            self.certificate = try Certificate(derEncoded: der)
        } catch {
            throw ServerTokenError(.invalidCertificate, reason: "DER does not hold an X.509 certificate")
        }
    }

    /// The certificate as PEM, ready for upload to ABM.
    public var pemRepresentation: String {
        // Serialising a certificate that parsed or was built by swift-certificates cannot fail.
        try! certificate.serializeAsPEM().pemString
    }

    /// The subject's common name, when it has one.
    public var commonName: String? {
        for relativeName in certificate.subject {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }

    /// The start of the validity period.
    public var notValidBefore: Date { certificate.notValidBefore }
    /// The end of the validity period.
    public var notValidAfter: Date { certificate.notValidAfter }

    /// The RSA public key tokens are encrypted to.
    /// - Throws: `unsupported_key` when the certificate holds another kind of key.
    public func rsaPublicKey() throws -> _RSA.Encryption.PublicKey {
        guard let signingKey = _RSA.Signing.PublicKey(certificate.publicKey),
            let key = try? _RSA.Encryption.PublicKey(derRepresentation: signingKey.derRepresentation)
        else {
            throw ServerTokenError(
                .unsupportedKey,
                parameters: ["key": "non-RSA"],
                reason: "certificate key is not RSA of at least 2048 bits"
            )
        }
        return key
    }

    /// Whether this certificate holds the public half of `privateKey`.
    public func matches(_ privateKey: TokenPrivateKey) -> Bool {
        guard let key = try? rsaPublicKey() else { return false }
        return key.derRepresentation == privateKey.publicKey.derRepresentation
    }

    /// Whether a CMS recipient identifier names this certificate.
    func identifies(_ recipient: CMSKeyTransRecipientInfo.Identifier) -> Bool {
        switch recipient {
        case .issuerAndSerialNumber(let issuer, let serialNumber):
            guard Self.integerValue(serialNumber) == Self.integerValue(Array(certificate.serialNumber.bytes)) else {
                return false
            }
            if let node = try? DER.parse(issuer), let name = try? DistinguishedName(derEncoded: node) {
                return name == certificate.issuer
            }
            return issuer == issuerBytes
        case .subjectKeyIdentifier(let identifier):
            if let own = try? certificate.extensions.subjectKeyIdentifier {
                return Array(own.keyIdentifier) == identifier
            }
            return Array(SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier) == identifier
        }
    }

    /// The issuer name's DER encoding, as a CMS recipient identifier carries it.
    var issuerBytes: [UInt8] {
        var serializer = DER.Serializer()
        try! certificate.issuer.serialize(into: &serializer)  // A parsed name always serialises.
        return serializer.serializedBytes
    }

    /// An INTEGER's content without redundant leading zero bytes, so that equal serials compare equal.
    private static func integerValue(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var value = bytes[...]
        while value.count > 1, value.first == 0 { value = value.dropFirst() }
        return value
    }
}
