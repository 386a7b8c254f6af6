public import SwiftASN1

/// `EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm, encryptedContent [0] IMPLICIT
/// OCTET STRING OPTIONAL }` (RFC 5652 §6.1). The encrypted content may be a constructed, indefinite-length string
/// of chunks, as ABM writes it; it is read flattened.
public struct CMSEncryptedContentInfo: BERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    static let encryptedContentTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// The type of the plaintext (`data` for a server token).
    public var contentType: ASN1ObjectIdentifier
    /// The cipher and its parameters (the IV for CBC modes).
    public var contentEncryptionAlgorithm: CMSAlgorithmIdentifier
    /// The ciphertext; `nil` when the content is detached.
    public var encryptedContent: [UInt8]?

    /// Creates an encrypted content info.
    public init(
        contentType: ASN1ObjectIdentifier,
        contentEncryptionAlgorithm: CMSAlgorithmIdentifier,
        encryptedContent: [UInt8]?
    ) {
        self.contentType = contentType
        self.contentEncryptionAlgorithm = contentEncryptionAlgorithm
        self.encryptedContent = encryptedContent
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try Self(berEncoded: node, withIdentifier: identifier)
    }

    public init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try BER.sequence(node, identifier: identifier) { nodes in
            let contentType = try ASN1ObjectIdentifier(berEncoded: &nodes)
            let algorithm = try CMSAlgorithmIdentifier(berEncoded: &nodes)
            let content = try nodes.next().map {
                try ASN1OctetString(berEncoded: $0, withIdentifier: Self.encryptedContentTag)
            }
            guard nodes.next() == nil else {
                throw ASN1Error.invalidASN1Object(reason: "EncryptedContentInfo has trailing elements")
            }
            return CMSEncryptedContentInfo(
                contentType: contentType,
                contentEncryptionAlgorithm: algorithm,
                encryptedContent: content.map { Array($0.bytes) }
            )
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(contentType)
            try coder.serialize(contentEncryptionAlgorithm)
            if let encryptedContent {
                try ASN1OctetString(contentBytes: encryptedContent[...])
                    .serialize(into: &coder, withIdentifier: Self.encryptedContentTag)
            }
        }
    }
}
