import ADESupport
import DEPClient
import Foundation

/// Writes fetch and sync pages straight into bytes, without `JSONEncoder`, so that serving a million devices is
/// limited by the network, not by encoding. The output is the same JSON the wire types encode.
struct DeviceJSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// `{"cursor":…,"devices":[…],"fetched_until":…,"more_to_follow":…}`.
    static func page(_ page: SimulatorWorld.Page) -> [UInt8] {
        var writer = DeviceJSONWriter(capacity: 128 + page.records.count * 420)
        writer.raw("{\"cursor\":")
        writer.string(page.cursor)
        writer.raw(",\"devices\":[")
        for (offset, record) in page.records.enumerated() {
            if offset > 0 { writer.raw(",") }
            writer.device(record)
        }
        writer.raw("],\"fetched_until\":")
        writer.date(page.fetchedUntil)
        writer.raw(",\"more_to_follow\":")
        writer.raw(page.moreToFollow ? "true" : "false")
        writer.raw("}")
        return writer.bytes
    }

    mutating func device(_ record: DeviceRecord) {
        let attributes = record.generator.attributes(record.index)
        raw("{\"serial_number\":\"")
        record.generator.appendSerial(record.index, to: &bytes)
        raw("\",\"model\":")
        string(attributes.model)
        raw(",\"description\":")
        string(attributes.description)
        raw(",\"color\":")
        string(attributes.color)
        raw(",\"device_family\":")
        string(attributes.family.rawValue)
        raw(",\"os\":")
        string(attributes.os.rawValue)
        raw(",\"profile_status\":")
        string((record.state?.profileStatus ?? .empty).rawValue)
        if let uuid = record.state?.profileUUID {
            raw(",\"profile_uuid\":")
            string(uuid)
        }
        if let time = record.state?.profileAssignTime {
            raw(",\"profile_assign_time\":")
            date(time)
        }
        if let time = record.state?.profilePushTime {
            raw(",\"profile_push_time\":")
            date(time)
        }
        raw(",\"device_assigned_date\":")
        date(attributes.assignedDate)
        raw(",\"device_assigned_by\":")
        string(record.generator.assignedBy)
        if let opType = record.opType {
            raw(",\"op_type\":")
            string(opType.rawValue)
        }
        if let opDate = record.opDate {
            raw(",\"op_date\":")
            date(opDate)
        }
        raw("}")
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A JSON string with `"`, `\` and control characters escaped.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"2026-11-22T09:15:00Z"`, computed without a formatter (days-to-civil, H. Hinnant).
    mutating func date(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        bytes.append(UInt8(ascii: "\""))
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "Z"))
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func digits(_ value: Int64, _ count: Int) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var value = max(0, value)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            value %= divisor
            divisor /= 10
        }
    }
}
