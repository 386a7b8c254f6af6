import ADESupport
import Foundation
import ServerToken

/// A direct parser of fetch and sync pages, for the sync's hot path: Foundation's `JSONDecoder` spends most of a
/// full fetch's CPU time on its generic machinery (about 110,000 devices a second on the project's machine).
///
/// It reads the shapes Apple sends — an object of known keys, in any order, with unknown keys skipped and `null` for
/// absent values — into exactly what `JSONCoding.decoder()` would produce. Anything else (a wrong type, malformed
/// JSON, invalid UTF-8, a duplicate key, a time it does not read itself) makes it answer `nil`, and the caller
/// decodes with `JSONDecoder`, which gives the same value or the same error as before.
enum DevicePageParser {
    /// Parses a page, or answers nil when `JSONDecoder` must decide.
    static func parse(_ bytes: [UInt8]) -> DevicePage? {
        var reader = JSONReader(bytes: bytes)
        return reader.page()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` from 1970 to 9999, the form Apple sends, read by ``RFC3339Timestamp`` rather than
    /// Foundation's parser; any other form is left to `Timestamp.parse`.
    static func wholeSecondUTC(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { utf8 -> Date? in
            guard utf8.count == 20, utf8[10] == UInt8(ascii: "T"), utf8[19] == UInt8(ascii: "Z"),
                let date = RFC3339Timestamp.parse(utf8: utf8), date.timeIntervalSince1970 >= 0
            else {
                return nil
            }
            return date
        }
    }
}

extension JSONReader {
    // MARK: - Page and device

    fileprivate mutating func page() -> DevicePage? {
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
        guard complete, atEnd() else { return nil }
        return DevicePage(cursor: cursor, devices: devices, fetchedUntil: fetchedUntil, moreToFollow: moreToFollow)
    }

    fileprivate mutating func device() -> Device? {
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

    fileprivate mutating func optionalEnum<Value: OpenStringEnum>(_ value: inout Value?) -> Bool {
        var text: String?
        guard optionalString(&text) else { return false }
        value = text.map { Value(rawValue: $0) }
        return true
    }

    fileprivate mutating func optionalDate(_ value: inout Date?) -> Bool {
        var text: String?
        guard optionalString(&text) else { return false }
        guard let text else {
            value = nil
            return true
        }
        guard let date = DevicePageParser.wholeSecondUTC(text) ?? Timestamp.parse(text) else { return false }
        value = date
        return true
    }
}
