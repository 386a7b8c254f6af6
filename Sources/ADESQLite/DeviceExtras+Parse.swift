import Foundation

extension DeviceExtras {
    /// The extras from the JSON that ``json`` writes, read directly when it is plain — one flat object of the known
    /// keys, strings without escapes, numbers, booleans and arrays of strings, no spaces — or nil for anything else
    /// (then `JSONDecoder` reads it). Every stored device with extras is read this way on each page of the device
    /// list: `JSONDecoder` took 4.5 µs a device, as long as the rest of the device's row.
    static func parsePlain(_ json: String) -> DeviceExtras? {
        var json = json
        return json.withUTF8 { bytes in
            var parser = PlainParser(bytes: bytes)
            return parser.extras()
        }
    }

    private init() {}

    /// A reader of exactly what `JSONEncoder` writes for ``DeviceExtras`` when no string needs escaping.
    private struct PlainParser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func extras() -> DeviceExtras? {
            var extras = DeviceExtras()
            guard take(UInt8(ascii: "{")) else { return nil }
            if take(UInt8(ascii: "}")) { return index == bytes.count ? extras : nil }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "mdmMigrationDeadline":
                    guard let seconds = number() else { return nil }
                    extras.mdmMigrationDeadline = Date(timeIntervalSinceReferenceDate: seconds)
                case "bluetoothMACAddress":
                    guard let value = string() else { return nil }; extras.bluetoothMACAddress = value
                case "ethernetMACAddress":
                    guard let value = strings() else { return nil }; extras.ethernetMACAddress = value
                case "wifiMACAddress": guard let value = string() else { return nil }; extras.wifiMACAddress = value
                case "imei": guard let value = strings() else { return nil }; extras.imei = value
                case "meid": guard let value = strings() else { return nil }; extras.meid = value
                case "eid": guard let value = string() else { return nil }; extras.eid = value
                case "isReplacementDevice":
                    guard let value = boolean() else { return nil }; extras.isReplacementDevice = value
                case "releasedByReplacement":
                    guard let value = boolean() else { return nil }
                    extras.releasedByReplacement = value
                case "responseStatus": guard let value = string() else { return nil }; extras.responseStatus = value
                default: return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")), index == bytes.count else { return nil }
            return extras
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string in quotes without escapes (a backslash or a control byte gives up).
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        private mutating func strings() -> [String]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var values: [String] = []
            if take(UInt8(ascii: "]")) { return values }
            repeat {
                guard let value = string() else { return nil }
                values.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? values : nil
        }

        private mutating func number() -> Double? {
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        private static func isNumberByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E")
        }

        private mutating func boolean() -> Bool? {
            if take("true") { return true }
            if take("false") { return false }
            return nil
        }

        private mutating func take(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard let base = bytes.baseAddress, index + count <= bytes.count,
                memcmp(base + index, literal.utf8Start, count) == 0
            else { return false }
            index += count
            return true
        }
    }
}
