/// The shape of a BER encoding: each element's depth, identifier octet and whether its length is indefinite.
///
/// Tests compare the shape of tokens `ade` writes with ABM's own, independently of the parser under test.
public enum BEROutline {
    /// One element of the outline.
    public struct Element: Hashable, Sendable, CustomStringConvertible {
        public let depth: Int
        public let identifier: UInt8
        public let indefinite: Bool
        public var description: String {
            String(repeating: "  ", count: depth) + String(identifier, radix: 16) + (indefinite ? " inf" : "")
        }
    }

    /// Walks the TLVs of `bytes`; primitive contents and end-of-contents markers are skipped.
    /// Returns `nil` when the bytes are not well-formed BER.
    public static func outline(_ bytes: [UInt8]) -> [Element]? {
        var elements: [Element] = []
        var index = 0
        guard walk(bytes, &index, end: bytes.count, depth: 0, into: &elements), index == bytes.count else {
            return nil
        }
        return elements
    }

    private static func walk(
        _ bytes: [UInt8],
        _ index: inout Int,
        end: Int?,
        depth: Int,
        into elements: inout [Element]
    ) -> Bool {
        while index < (end ?? bytes.count) {
            guard index + 2 <= bytes.count else { return false }
            let identifier = bytes[index]
            let lengthByte = bytes[index + 1]
            index += 2
            if identifier == 0, lengthByte == 0 {  // End of contents.
                return end == nil
            }
            let constructed = identifier & 0x20 != 0
            if lengthByte == 0x80 {
                guard constructed else { return false }
                elements.append(Element(depth: depth, identifier: identifier, indefinite: true))
                guard walk(bytes, &index, end: nil, depth: depth + 1, into: &elements) else { return false }
                continue
            }
            var length = Int(lengthByte)
            if lengthByte & 0x80 != 0 {
                let count = Int(lengthByte & 0x7F)
                guard count <= 4, index + count <= bytes.count else { return false }
                length = bytes[index..<(index + count)].reduce(0) { $0 << 8 | Int($1) }
                index += count
            }
            guard index + length <= bytes.count else { return false }
            elements.append(Element(depth: depth, identifier: identifier, indefinite: false))
            if constructed {
                var inner = index
                guard walk(bytes, &inner, end: index + length, depth: depth + 1, into: &elements) else { return false }
            }
            index += length
        }
        return end != nil
    }
}
