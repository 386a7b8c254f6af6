public import Foundation

/// The device fields without a column of their own (protocol version 8 and 10 additions, details' status), kept as
/// JSON so that every field of Apple's record survives the store: one text column, the same in every store.
public struct DeviceExtras: Codable, Equatable, Sendable {
    public var mdmMigrationDeadline: Date?
    public var bluetoothMACAddress: String?
    public var ethernetMACAddress: [String]?
    public var wifiMACAddress: String?
    public var imei: [String]?
    public var meid: [String]?
    public var eid: String?
    public var isReplacementDevice: Bool?
    public var releasedByReplacement: Bool?

    /// The extras of a device.
    public init(_ device: DeviceRecord) {
        mdmMigrationDeadline = device.mdmMigrationDeadline
        bluetoothMACAddress = device.bluetoothMACAddress
        ethernetMACAddress = device.ethernetMACAddress
        wifiMACAddress = device.wifiMACAddress
        imei = device.imei
        meid = device.meid
        eid = device.eid
        isReplacementDevice = device.isReplacementDevice
        releasedByReplacement = device.releasedByReplacement
    }

    /// The extras from their JSON text; nil without text, or for text that is not theirs.
    public init?(json: String?) {
        guard let json else { return nil }
        if let read = Self.parse(json) {
            self = read
            return
        }
        guard let value = try? JSONDecoder().decode(DeviceExtras.self, from: Data(json.utf8)) else { return nil }
        self = value
    }

    /// The JSON text, or nil when every field is absent (the common case costs nothing).
    public var json: String? {
        guard
            mdmMigrationDeadline != nil || bluetoothMACAddress != nil || ethernetMACAddress != nil
                || wifiMACAddress != nil || imei != nil || meid != nil || eid != nil || isReplacementDevice != nil
                || releasedByReplacement != nil
        else {
            return nil
        }
        return (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sets the device's extra fields to these.
    public func apply(to device: inout DeviceRecord) {
        device.mdmMigrationDeadline = mdmMigrationDeadline
        device.bluetoothMACAddress = bluetoothMACAddress
        device.ethernetMACAddress = ethernetMACAddress
        device.wifiMACAddress = wifiMACAddress
        device.imei = imei
        device.meid = meid
        device.eid = eid
        device.isReplacementDevice = isReplacementDevice
        device.releasedByReplacement = releasedByReplacement
    }
}
