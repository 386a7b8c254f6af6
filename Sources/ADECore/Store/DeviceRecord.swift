public import ADESupport
public import Foundation

/// Apple's record of a device as `ade` keeps it: every field of a fetch or sync record, in the store's own type so
/// that no store depends on Apple's wire format (`DEPClient.Device`, mapped by ``init(_:)``).
///
/// Every field but the serial number is optional, as Apple sends them.
public struct DeviceRecord: Hashable, Sendable {
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
    /// What last happened to the device (sync records only).
    public var opType: OperationType?
    /// When it happened; the latest record of a serial is its current state.
    public var opDate: Date?
    public var mdmMigrationDeadline: Date?
    public var bluetoothMACAddress: String?
    public var ethernetMACAddress: [String]?
    public var wifiMACAddress: String?
    public var imei: [String]?
    public var meid: [String]?
    public var eid: String?
    public var isReplacementDevice: Bool?
    public var releasedByReplacement: Bool?

    /// Creates a record; the fields of protocol versions 8 and 10 are set afterwards.
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
}
