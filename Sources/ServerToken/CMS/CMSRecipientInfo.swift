public import SwiftASN1

/// `RecipientInfo ::= CHOICE { ktri, kari [1], kekri [2], pwri [3], ori [4] }` (RFC 5652 §6.2).
///
/// Apple encrypts server tokens with key transport (`ktri`) only; the other choices are recognised so that a token
/// using them is reported as an unsupported algorithm rather than as damaged.
public enum CMSRecipientInfo: BERParseable, Hashable, Sendable {
    /// Key transport: the content key encrypted to the recipient's RSA key.
    case keyTransport(CMSKeyTransRecipientInfo)
    /// Any other kind of recipient; the name says which (`key agreement`, `KEK`, `password`, `other`).
    case other(kind: String)

    public init(derEncoded node: ASN1Node) throws {
        self = try Self(berEncoded: node)
    }

    public init(berEncoded node: ASN1Node) throws {
        switch node.identifier {
        case .sequence:
            self = .keyTransport(try CMSKeyTransRecipientInfo(berEncoded: node))
        case ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific):
            self = .other(kind: "key agreement (kari)")
        case ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific):
            self = .other(kind: "key encryption key (kekri)")
        case ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific):
            self = .other(kind: "password (pwri)")
        case ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific):
            self = .other(kind: "other recipient (ori)")
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }
}
