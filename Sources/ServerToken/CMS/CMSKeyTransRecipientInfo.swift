public import SwiftASN1

/// `KeyTransRecipientInfo ::= SEQUENCE { version, rid RecipientIdentifier, keyEncryptionAlgorithm, encryptedKey }`
/// (RFC 5652 §6.2.1).
public struct CMSKeyTransRecipientInfo: BERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// `RecipientIdentifier ::= CHOICE { issuerAndSerialNumber, subjectKeyIdentifier [0] }`.
    public enum Identifier: Hashable, Sendable {
        /// The recipient certificate's issuer name (DER, as in the certificate) and serial number (INTEGER content).
        case issuerAndSerialNumber(issuer: [UInt8], serialNumber: [UInt8])
        /// The recipient certificate's subject key identifier.
        case subjectKeyIdentifier([UInt8])
    }

    /// 0 for issuer and serial number, 2 for a subject key identifier.
    public var version: Int
    /// Which certificate the key was encrypted to.
    public var recipient: Identifier
    /// How the content key was encrypted (RSA PKCS #1 v1.5 or RSA-OAEP).
    public var keyEncryptionAlgorithm: CMSAlgorithmIdentifier
    /// The encrypted content key.
    public var encryptedKey: [UInt8]

    /// Creates a recipient info.
    public init(
        version: Int,
        recipient: Identifier,
        keyEncryptionAlgorithm: CMSAlgorithmIdentifier,
        encryptedKey: [UInt8]
    ) {
        self.version = version
        self.recipient = recipient
        self.keyEncryptionAlgorithm = keyEncryptionAlgorithm
        self.encryptedKey = encryptedKey
    }

    private static let subjectKeyIdentifierTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try Self(berEncoded: node, withIdentifier: identifier)
    }

    public init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try BER.sequence(node, identifier: identifier) { nodes in
            let version = try Int(berEncoded: &nodes)
            guard let ridNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "KeyTransRecipientInfo has no recipient identifier")
            }
            let recipient: Identifier
            switch ridNode.identifier {
            case .sequence:
                recipient = try BER.sequence(ridNode, identifier: .sequence) { nodes in
                    guard let issuer = nodes.next(), issuer.identifier == .sequence else {
                        throw ASN1Error.invalidASN1Object(reason: "IssuerAndSerialNumber has no issuer name")
                    }
                    let serial = try ArraySlice<UInt8>(berEncoded: &nodes)
                    guard nodes.next() == nil else {
                        throw ASN1Error.invalidASN1Object(reason: "IssuerAndSerialNumber has trailing elements")
                    }
                    return .issuerAndSerialNumber(issuer: Array(issuer.encodedBytes), serialNumber: Array(serial))
                }
            case Self.subjectKeyIdentifierTag:
                let identifier = try ASN1OctetString(berEncoded: ridNode, withIdentifier: Self.subjectKeyIdentifierTag)
                recipient = .subjectKeyIdentifier(Array(identifier.bytes))
            default:
                throw ASN1Error.unexpectedFieldType(ridNode.identifier)
            }
            let algorithm = try CMSAlgorithmIdentifier(berEncoded: &nodes)
            let encryptedKey = try ASN1OctetString(berEncoded: &nodes)
            guard nodes.next() == nil else {
                throw ASN1Error.invalidASN1Object(reason: "KeyTransRecipientInfo has trailing elements")
            }
            return CMSKeyTransRecipientInfo(
                version: version,
                recipient: recipient,
                keyEncryptionAlgorithm: algorithm,
                encryptedKey: Array(encryptedKey.bytes)
            )
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            switch recipient {
            case .issuerAndSerialNumber(let issuer, let serialNumber):
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    coder.serializeRawBytes(issuer)
                    try coder.serialize(ArraySlice(serialNumber))
                }
            case .subjectKeyIdentifier(let identifier):
                try ASN1OctetString(contentBytes: identifier[...])
                    .serialize(into: &coder, withIdentifier: Self.subjectKeyIdentifierTag)
            }
            try coder.serialize(keyEncryptionAlgorithm)
            try coder.serialize(ASN1OctetString(contentBytes: encryptedKey[...]))
        }
    }
}
