import Foundation

/// A direct parser of fetch and sync pages, for the sync's hot path: Foundation's `JSONDecoder` spends most of a
/// full fetch's CPU time on its generic machinery (about 110,000 devices a second on the project's machine).
///
/// It reads the shapes Apple sends — an object of known keys, in any order, with unknown keys skipped and `null` for
/// absent values — into exactly what `DEPJSON.decoder()` would produce. Anything else (a wrong type, malformed
/// JSON, invalid UTF-8, a duplicate key, a time it does not read itself) makes it answer `nil`, and the caller
/// decodes with `JSONDecoder`, which gives the same value or the same error as before.
struct DevicePageParser {
    private let bytes: [UInt8]
    private var index = 0

    /// Parses a page, or answers nil when `JSONDecoder` must decide.
    static func parse(_ bytes: [UInt8]) -> DevicePage? {
        var parser = DevicePageParser(bytes: bytes)
        return parser.page()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: - Page and device

    private mutating func page() -> DevicePage? {
        var cursor: String?
        var devices: [Device] = []
        var fetchedUntil: Date?
        var moreToFollow = false
        var seen = Set<String>()
        let complete = object { key, parser in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "cursor": return parser.optionalString(&cursor)
            case "fetched_until": return parser.optionalDate(&fetchedUntil)
            case "more_to_follow":
                var value: Bool?
                guard parser.optionalBool(&value) else { return false }
                moreToFollow = value ?? false
                return true
            case "devices":
                if parser.literal("null") { return true }
                return parser.array { parser in
                    guard let device = parser.device() else { return false }
                    devices.append(device)
                    return true
                }
            default: return parser.skipValue()
            }
        }
        guard complete else { return nil }
        skipWhitespace()
        guard index == bytes.count else { return nil }
        return DevicePage(cursor: cursor, devices: devices, fetchedUntil: fetchedUntil, moreToFollow: moreToFollow)
    }

    private mutating func device() -> Device? {
        var device = Device(serialNumber: "")
        var serial: String?
        var seen = Set<String>()
        let complete = object { key, parser in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "serial_number": return parser.optionalString(&serial)
            case "model": return parser.optionalString(&device.model)
            case "description": return parser.optionalString(&device.description)
            case "color": return parser.optionalString(&device.color)
            case "asset_tag": return parser.optionalString(&device.assetTag)
            case "device_family": return parser.optionalEnum(&device.deviceFamily)
            case "os": return parser.optionalEnum(&device.os)
            case "profile_status": return parser.optionalEnum(&device.profileStatus)
            case "profile_uuid": return parser.optionalString(&device.profileUUID)
            case "profile_assign_time": return parser.optionalDate(&device.profileAssignTime)
            case "profile_push_time": return parser.optionalDate(&device.profilePushTime)
            case "device_assigned_date": return parser.optionalDate(&device.deviceAssignedDate)
            case "device_assigned_by": return parser.optionalString(&device.deviceAssignedBy)
            case "op_type": return parser.optionalEnum(&device.opType)
            case "op_date": return parser.optionalDate(&device.opDate)
            case "mdm_migration_deadline": return parser.optionalDate(&device.mdmMigrationDeadline)
            case "bluetooth_mac_address": return parser.optionalString(&device.bluetoothMACAddress)
            case "ethernet_mac_address": return parser.optionalStrings(&device.ethernetMACAddress)
            case "wifi_mac_address": return parser.optionalString(&device.wifiMACAddress)
            case "imei": return parser.optionalStrings(&device.imei)
            case "meid": return parser.optionalStrings(&device.meid)
            case "eid": return parser.optionalString(&device.eid)
            case "is_replacement_device": return parser.optionalBool(&device.isReplacementDevice)
            case "released_by_replacement": return parser.optionalBool(&device.releasedByReplacement)
            case "response_status": return parser.optionalEnum(&device.responseStatus)
            default: return parser.skipValue()
            }
        }
        guard complete, let serial else { return nil }
        device.serialNumber = serial
        return device
    }

    // MARK: - Values

    private mutating func optionalString(_ value: inout String?) -> Bool {
        if literal("null") {
            value = nil
            return true
        }
        guard let string = string() else { return false }
        value = string
        return true
    }

    private mutating func optionalEnum<Value: OpenStringEnum>(_ value: inout Value?) -> Bool {
        var text: String?
        guard optionalString(&text) else { return false }
        value = text.map { Value(rawValue: $0) }
        return true
    }

    private mutating func optionalStrings(_ value: inout [String]?) -> Bool {
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

    private mutating func optionalBool(_ value: inout Bool?) -> Bool {
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

    private mutating func optionalDate(_ value: inout Date?) -> Bool {
        var text: String?
        guard optionalString(&text) else { return false }
        guard let text else {
            value = nil
            return true
        }
        guard let date = Self.wholeSecondUTC(text) ?? DEPJSON.parseDate(text) else { return false }
        value = date
        return true
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` from 1970 to 9999, the form Apple sends, without Foundation's parser; any other form
    /// is left to `DEPJSON.parseDate`.
    static func wholeSecondUTC(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { utf8 -> Date? in
            guard utf8.count == 20, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
                utf8[10] == UInt8(ascii: "T"), utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
                utf8[19] == UInt8(ascii: "Z")
            else {
                return nil
            }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for offset in start..<(start + count) {
                    let digit = Int(utf8[offset]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1970...9999).contains(year), (1...12).contains(month), hour < 24, minute < 60, second < 60
            else {
                return nil
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...lengths[month - 1]).contains(day) else { return nil }
            // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = y / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
        }
    }

    // MARK: - JSON

    /// Reads an object, calling `member` with each key and the parser positioned on its value.
    private mutating func object(_ member: (String, inout DevicePageParser) -> Bool) -> Bool {
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
    private mutating func array(_ element: (inout DevicePageParser) -> Bool) -> Bool {
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
    private mutating func string() -> String? {
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
    private mutating func skipValue() -> Bool {
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

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> Bool {
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

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
