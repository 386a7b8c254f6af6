public import ADESupport
public import Foundation

/// A device as Apple's service describes it (`Device`, in fetch and sync pages and device details).
///
/// Every field but the serial number is optional, as in Apple's schema; unknown fields are ignored.
public struct Device: Codable, Hashable, Sendable {
    public var serialNumber: String
    public var model: String?
    public var description: String?
    public var color: String?
    public var assetTag: String?
    public var deviceFamily: DeviceFamily?
    public var os: OperatingSystem?
    public var profileStatus: ProfileStatus?
    public var profileUUID: String?
    public var profileAssignTime: Date?
    public var profilePushTime: Date?
    public var deviceAssignedDate: Date?
    public var deviceAssignedBy: String?
    /// Sync records only: what happened to the device.
    public var opType: OperationType?
    /// Sync records only: when it happened; the latest record of a serial is its current state.
    public var opDate: Date?
    public var mdmMigrationDeadline: Date?
    // Protocol version 10.
    public var bluetoothMACAddress: String?
    public var ethernetMACAddress: [String]?
    public var wifiMACAddress: String?
    public var imei: [String]?
    public var meid: [String]?
    public var eid: String?
    public var isReplacementDevice: Bool?
    public var releasedByReplacement: Bool?
    /// Device details only.
    public var responseStatus: DeviceResult?

    /// Creates a device record.
    public init(
        serialNumber: String,
        model: String? = nil,
        description: String? = nil,
        color: String? = nil,
        assetTag: String? = nil,
        deviceFamily: DeviceFamily? = nil,
        os: OperatingSystem? = nil,
        profileStatus: ProfileStatus? = nil,
        profileUUID: String? = nil,
        profileAssignTime: Date? = nil,
        profilePushTime: Date? = nil,
        deviceAssignedDate: Date? = nil,
        deviceAssignedBy: String? = nil,
        opType: OperationType? = nil,
        opDate: Date? = nil
    ) {
        self.serialNumber = serialNumber
        self.model = model
        self.description = description
        self.color = color
        self.assetTag = assetTag
        self.deviceFamily = deviceFamily
        self.os = os
        self.profileStatus = profileStatus
        self.profileUUID = profileUUID
        self.profileAssignTime = profileAssignTime
        self.profilePushTime = profilePushTime
        self.deviceAssignedDate = deviceAssignedDate
        self.deviceAssignedBy = deviceAssignedBy
        self.opType = opType
        self.opDate = opDate
    }

    enum CodingKeys: String, CodingKey {
        case serialNumber = "serial_number"
        case model, description, color, os, eid, imei, meid
        case assetTag = "asset_tag"
        case deviceFamily = "device_family"
        case profileStatus = "profile_status"
        case profileUUID = "profile_uuid"
        case profileAssignTime = "profile_assign_time"
        case profilePushTime = "profile_push_time"
        case deviceAssignedDate = "device_assigned_date"
        case deviceAssignedBy = "device_assigned_by"
        case opType = "op_type"
        case opDate = "op_date"
        case mdmMigrationDeadline = "mdm_migration_deadline"
        case bluetoothMACAddress = "bluetooth_mac_address"
        case ethernetMACAddress = "ethernet_mac_address"
        case wifiMACAddress = "wifi_mac_address"
        case isReplacementDevice = "is_replacement_device"
        case releasedByReplacement = "released_by_replacement"
        case responseStatus = "response_status"
    }
}
