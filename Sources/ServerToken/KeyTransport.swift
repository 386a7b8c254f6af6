import SwiftASN1
import _CryptoExtras

/// How a server token's content key is encrypted to the recipient's RSA key.
public enum KeyTransport: String, Sendable, CaseIterable {
    /// RSA PKCS #1 v1.5, which ABM uses.
    case rsaPKCS1v15 = "rsa-pkcs1-v1_5"
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1 (the RFC 8017 defaults).
    case rsaOAEPSHA1 = "rsa-oaep-sha1"
    /// RSA-OAEP with SHA-256 and MGF1-SHA-256.
    case rsaOAEPSHA256 = "rsa-oaep-sha256"

    /// Reads the key-encryption algorithm of a recipient.
    /// - Throws: `unsupported_algorithm` naming the algorithm (another key type, another OAEP hash, a label).
    public init(_ identifier: CMSAlgorithmIdentifier) throws {
        switch identifier.algorithm {
        case CMSObjectIdentifiers.rsaEncryption:
            self = .rsaPKCS1v15
        case CMSObjectIdentifiers.rsaesOAEP:
            self = try Self.oaep(parameters: identifier.parameters)
        default:
            throw Self.unsupported(identifier.name)
        }
    }

    /// The identifier written into a recipient info.
    public var algorithmIdentifier: CMSAlgorithmIdentifier {
        switch self {
        case .rsaPKCS1v15:
            return CMSAlgorithmIdentifier(algorithm: CMSObjectIdentifiers.rsaEncryption, parameters: Self.null)
        case .rsaOAEPSHA1:
            return CMSAlgorithmIdentifier(algorithm: CMSObjectIdentifiers.rsaesOAEP, parameters: Self.oaepDefaults)
        case .rsaOAEPSHA256:
            return CMSAlgorithmIdentifier(algorithm: CMSObjectIdentifiers.rsaesOAEP, parameters: Self.oaepSHA256)
        }
    }

    var padding: _RSA.Encryption.Padding {
        switch self {
        case .rsaPKCS1v15: return ._WEAK_AND_INSECURE_PKCS_V1_5
        case .rsaOAEPSHA1: return .PKCS1_OAEP
        case .rsaOAEPSHA256: return .PKCS1_OAEP_SHA256
        }
    }

    // MARK: - RSAES-OAEP-params (RFC 8017 appendix A.2.1)

    private static let hashTag: UInt = 0
    private static let maskTag: UInt = 1
    private static let sourceTag: UInt = 2

    private static func oaep(parameters: ASN1Any?) throws -> KeyTransport {
        guard let parameters, parameters != null else { return .rsaOAEPSHA1 }
        let (hash, maskHash, label) = try BER.sequence(
            try BER.parse(parameters.derBytes),
            identifier: .sequence
        ) { nodes -> (ASN1ObjectIdentifier, ASN1ObjectIdentifier, [UInt8]) in
            let hash = try BER.optionalExplicitlyTagged(&nodes, tagNumber: hashTag, tagClass: .contextSpecific) {
                try CMSAlgorithmIdentifier(berEncoded: $0).algorithm
            }
            let mask = try BER.optionalExplicitlyTagged(&nodes, tagNumber: maskTag, tagClass: .contextSpecific) {
                try CMSAlgorithmIdentifier(berEncoded: $0)
            }
            let source = try BER.optionalExplicitlyTagged(&nodes, tagNumber: sourceTag, tagClass: .contextSpecific) {
                try CMSAlgorithmIdentifier(berEncoded: $0)
            }
            var maskHash = CMSObjectIdentifiers.sha1
            if let mask {
                guard mask.algorithm == CMSObjectIdentifiers.mgf1, let inner = mask.parameters else {
                    throw unsupported("RSA-OAEP with mask \(mask.name)")
                }
                maskHash = try CMSAlgorithmIdentifier(berASN1Any: inner).algorithm
            }
            var label: [UInt8] = []
            if let source, let value = source.parameters {
                label = Array(try ASN1OctetString(berASN1Any: value).bytes)
            }
            return (hash ?? CMSObjectIdentifiers.sha1, maskHash, label)
        }
        guard label.isEmpty else { throw unsupported("RSA-OAEP with a label") }
        switch (hash, maskHash) {
        case (CMSObjectIdentifiers.sha1, CMSObjectIdentifiers.sha1): return .rsaOAEPSHA1
        case (CMSObjectIdentifiers.sha256, CMSObjectIdentifiers.sha256): return .rsaOAEPSHA256
        default:
            let name = CMSObjectIdentifiers.name
            throw unsupported("RSA-OAEP with \(name(hash)) and MGF1-\(name(maskHash))")
        }
    }

    private static func unsupported(_ name: String) -> ServerTokenError {
        ServerTokenError(
            .unsupportedAlgorithm,
            parameters: ["algorithm": name, "suggestion": "RSA PKCS#1 v1.5 or RSA-OAEP (SHA-1, SHA-256)"],
            reason: "key transport \(name) is not supported"
        )
    }

    private static let null = try! ASN1Any(erasing: ASN1Null())
    private static let oaepDefaults = try! ASN1Any(erasing: OAEPParameters(hash: nil))
    private static let oaepSHA256 = try! ASN1Any(erasing: OAEPParameters(hash: CMSObjectIdentifiers.sha256))

    /// Writes RSAES-OAEP-params with the same hash for OAEP and MGF1, as openssl does.
    private struct OAEPParameters: DERSerializable {
        var hash: ASN1ObjectIdentifier?

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                guard let hash else { return }
                let hashIdentifier = CMSAlgorithmIdentifier(algorithm: hash, parameters: KeyTransport.null)
                try coder.serialize(explicitlyTaggedWithTagNumber: hashTag, tagClass: .contextSpecific) { coder in
                    try coder.serialize(hashIdentifier)
                }
                try coder.serialize(explicitlyTaggedWithTagNumber: maskTag, tagClass: .contextSpecific) { coder in
                    try coder.serialize(
                        CMSAlgorithmIdentifier(
                            algorithm: CMSObjectIdentifiers.mgf1,
                            parameters: try ASN1Any(erasing: hashIdentifier)
                        )
                    )
                }
            }
        }
    }
}

extension ASN1Any {
    /// The element's own encoding.
    var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(self)  // Serialising an ASN1Any copies its stored bytes; it cannot fail.
        return serializer.serializedBytes
    }
}
