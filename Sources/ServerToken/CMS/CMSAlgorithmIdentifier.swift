public import SwiftASN1

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }` (RFC 5280 §4.1.1.2).
public struct CMSAlgorithmIdentifier: BERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// The algorithm.
    public var algorithm: ASN1ObjectIdentifier
    /// Its parameters, undecoded (`NULL`, an IV, OAEP parameters …).
    public var parameters: ASN1Any?

    /// Creates an identifier.
    public init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try Self(berEncoded: node, withIdentifier: identifier)
    }

    public init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try BER.sequence(node, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(berEncoded: &nodes)
            let parameters = nodes.next().map(ASN1Any.init(berEncoded:))
            guard nodes.next() == nil else {
                throw ASN1Error.invalidASN1Object(reason: "AlgorithmIdentifier has trailing elements")
            }
            return CMSAlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters {
                try coder.serialize(parameters)
            }
        }
    }

    /// A name a person recognises for ``algorithm``.
    public var name: String { CMSObjectIdentifiers.name(of: algorithm) }
}
