import ADECore
import Foundation
import NIOCore

/// JSON written by hand for the lists read most often (devices, tokens): the same text `JSONEncoder` writes with
/// sorted keys and ISO 8601 dates — a test compares both — at a fraction of its cost.
struct APIJSON {
    /// The UTF-8 bytes written so far.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON text.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The bytes in a buffer, to send.
    var byteBuffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    /// Whether the open object has a field yet (a comma goes before the next).
    private var objectHasField = false

    /// Opens an object; its fields follow in key order, then ``endObject()``.
    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        objectHasField = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        objectHasField = true
    }

    /// `"key":` after a comma when needed.
    private mutating func key(_ key: StaticString) {
        if objectHasField { bytes.append(UInt8(ascii: ",")) }
        objectHasField = true
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// A string field; nil leaves the field out, as `JSONEncoder` leaves out nil optionals.
    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONText.quote(value, into: &bytes)
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, element) in value.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.quote(element, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        key(name)
        bytes.append(UInt8(ascii: "\""))
        Self.iso8601(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends raw JSON punctuation (`[`, `,`, `]`).
    mutating func raw(_ json: StaticString) {
        json.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends a string in quotes.
    mutating func string(_ value: String) {
        JSONText.quote(value, into: &bytes)
    }

    /// `2026-11-22T12:20:35Z`: whole seconds in UTC, as JSONEncoder's `.iso8601` writes them.
    static func iso8601(_ date: Date, into bytes: inout [UInt8]) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        // Howard Hinnant's days-to-civil.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) {
            bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
            bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        if (0...9999).contains(year) {
            bytes.append(UInt8(ascii: "0") + UInt8(year / 1000))
            bytes.append(UInt8(ascii: "0") + UInt8(year / 100 % 10))
            two(year % 100)
        } else {
            bytes.append(contentsOf: String(year).utf8)
        }
        bytes.append(UInt8(ascii: "-"))
        two(month)
        bytes.append(UInt8(ascii: "-"))
        two(day)
        bytes.append(UInt8(ascii: "T"))
        two(second / 3600)
        bytes.append(UInt8(ascii: ":"))
        two(second % 3600 / 60)
        bytes.append(UInt8(ascii: ":"))
        two(second % 60)
        bytes.append(UInt8(ascii: "Z"))
    }
}
