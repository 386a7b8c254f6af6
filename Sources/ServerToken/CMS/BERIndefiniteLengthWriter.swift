import SwiftASN1

/// Frames BER with indefinite lengths around DER parts written by swift-asn1's serializer.
///
/// swift-asn1 serialises DER only; ABM's tokens open their outer structures with `0x80` (indefinite length) and
/// close them with end-of-contents octets. This writer adds exactly that framing and nothing else.
struct BERIndefiniteLengthWriter {
    private(set) var bytes: [UInt8] = []

    /// Writes a constructed element of indefinite length: identifier octet, `0x80`, the body, `00 00`.
    mutating func constructed(_ identifier: ASN1Identifier, _ body: (inout Self) throws -> Void) rethrows {
        bytes.append(Self.identifierOctet(identifier, constructed: true))
        bytes.append(0x80)
        try body(&self)
        bytes += [0x00, 0x00]
    }

    /// Writes a complete DER element.
    mutating func append(_ element: some DERSerializable) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(element)
        bytes += serializer.serializedBytes
    }

    /// Writes a DER element with an implicit tag.
    mutating func append(_ element: some DERImplicitlyTaggable, identifier: ASN1Identifier) throws {
        var serializer = DER.Serializer()
        try element.serialize(into: &serializer, withIdentifier: identifier)
        bytes += serializer.serializedBytes
    }

    /// The single identifier octet of a low tag number (all CMS tags are below 31).
    private static func identifierOctet(_ identifier: ASN1Identifier, constructed: Bool) -> UInt8 {
        precondition(identifier.tagNumber < 31, "high tag numbers are not used in CMS framing")
        let tagClass: UInt8
        switch identifier.tagClass {
        case .universal: tagClass = 0x00
        case .application: tagClass = 0x40
        case .contextSpecific: tagClass = 0x80
        case .private: tagClass = 0xC0
        }
        return tagClass | (constructed ? 0x20 : 0x00) | UInt8(identifier.tagNumber)
    }
}
