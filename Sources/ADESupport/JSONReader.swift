import Foundation

/// A reader of JSON bytes that builds values directly, for shapes known in advance (Apple's device pages, the SQLite
/// store's device extras): Foundation's `JSONDecoder` spends most of its time on its generic machinery.
///
/// Each method answers false or nil for what it cannot read — a wrong type, malformed JSON, invalid UTF-8 — and the
/// caller then decodes with `JSONDecoder`, which gives the same value or the error.
public struct JSONReader {
    private let bytes: [UInt8]
    private var index = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether only whitespace is left.
    public mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    // MARK: - Values

    /// A string or `null` into `value`; false when it is neither.
    public mutating func optionalString(_ value: inout String?) -> Bool {
        if literal("null") {
            value = nil
            return true
        }
        guard let string = string() else { return false }
        value = string
        return true
    }

    /// An array of strings or `null` into `value`; false when it is neither.
    public mutating func optionalStrings(_ value: inout [String]?) -> Bool {
        if literal("null") {
            value = nil
            return true
        }
        var strings: [String] = []
        let complete = array { parser in
            guard let string = parser.string() else { return false }
            strings.append(string)
            return true
        }
        guard complete else { return false }
        value = strings
        return true
    }

    /// `true`, `false` or `null` into `value`; false when it is none of them.
    public mutating func optionalBool(_ value: inout Bool?) -> Bool {
        if literal("null") {
            value = nil
        } else if literal("true") {
            value = true
        } else if literal("false") {
            value = false
        } else {
            return false
        }
        return true
    }

    /// A number, as a `Double`.
    public mutating func double() -> Double? {
        let start = index
        guard number() else { return nil }
        return bytes[start..<index].withUnsafeBufferPointer { Double(String(decoding: $0, as: UTF8.self)) }
    }

    // MARK: - JSON

    /// Reads an object, calling `member` with each key and the parser positioned on its value.
    public mutating func object(_ member: (String, inout JSONReader) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(key, &self) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// Reads an array, calling `element` with the parser positioned on each element.
    public mutating func array(_ element: (inout JSONReader) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// A string, with its escapes; nil when it is not one, or not valid UTF-8.
    public mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var ascii = true
        // The common case: no escape, and ASCII only (serial numbers, dates, codes), which is valid UTF-8 as it is;
        // `String(validating:as:)` runs unspecialised and cost more than the rest of the parse.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text =
                    ascii
                    ? bytes[start..<index].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
                    : String(validating: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            ascii = ascii && byte < 0x80
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\\") else { return nil }
        var unescaped = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: unescaped, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A surrogate pair, or JSONDecoder decides.
                        guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hex4(),
                            (0xDC00...0xDFFF).contains(low)
                        else {
                            return nil
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let character = Unicode.Scalar(scalar) else { return nil }
                    unescaped.append(contentsOf: Array(String(character).utf8))
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                unescaped.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Skips any well-formed value (an unknown key's).
    public mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object { _, parser in parser.skipValue() }
        case UInt8(ascii: "["): return array { parser in parser.skipValue() }
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    /// Steps over a number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public mutating func number() -> Bool {
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            // No leading zeros.
        } else {
            guard digits() > 0 else { return false }
        }
        if consume(UInt8(ascii: ".")) {
            guard digits() > 0 else { return false }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        return true
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    /// Steps over `word` (`true`, `null`, …) when it comes next.
    public mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    /// Steps over `byte` when it comes next.
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Steps over spaces, tabs and line ends.
    public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
