public import SwiftASN1

/// `EnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL, recipientInfos SET OF RecipientInfo,
/// encryptedContentInfo, unprotectedAttrs [1] OPTIONAL }` (RFC 5652 §6.1), read from BER.
public struct CMSEnvelopedData: BERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// The syntax version (0 for ABM's tokens).
    public var version: Int
    /// Every recipient the content key was encrypted to.
    public var recipientInfos: [CMSRecipientInfo]
    /// The encrypted content.
    public var encryptedContentInfo: CMSEncryptedContentInfo

    /// Creates enveloped data.
    public init(version: Int, recipientInfos: [CMSRecipientInfo], encryptedContentInfo: CMSEncryptedContentInfo) {
        self.version = version
        self.recipientInfos = recipientInfos
        self.encryptedContentInfo = encryptedContentInfo
    }

    private static let originatorInfoTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let unprotectedAttributesTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try Self(berEncoded: node, withIdentifier: identifier)
    }

    public init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try BER.sequence(node, identifier: identifier) { nodes in
            let version = try Int(berEncoded: &nodes)
            var next = nodes.next()
            if next?.identifier == Self.originatorInfoTag {
                next = nodes.next()  // Originator certificates and CRLs play no part in key transport.
            }
            guard let recipientsNode = next else {
                throw ASN1Error.invalidASN1Object(reason: "EnvelopedData has no recipient infos")
            }
            let recipients = try BER.set(recipientsNode, identifier: .set) { nodes in
                var recipients: [CMSRecipientInfo] = []
                while let node = nodes.next() {
                    recipients.append(try CMSRecipientInfo(berEncoded: node))
                }
                return recipients
            }
            let content = try CMSEncryptedContentInfo(berEncoded: &nodes)
            if let attributes = nodes.next(), attributes.identifier != Self.unprotectedAttributesTag {
                throw ASN1Error.unexpectedFieldType(attributes.identifier)
            }
            guard nodes.next() == nil else {
                throw ASN1Error.invalidASN1Object(reason: "EnvelopedData has trailing elements")
            }
            return CMSEnvelopedData(version: version, recipientInfos: recipients, encryptedContentInfo: content)
        }
    }

    /// Writes definite-length DER. Server tokens are written in ABM's indefinite-length form by
    /// ``ServerTokenEncryptor``; this form serves tests and tools that want canonical bytes.
    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            try coder.appendConstructedNode(identifier: .set) { coder in
                for case .keyTransport(let recipient) in recipientInfos {
                    try coder.serialize(recipient)
                }
            }
            try coder.serialize(encryptedContentInfo)
        }
    }
}
