public import DEPClient

extension DeviceRecord {
    /// The record of a device Apple sent in a page or a details answer (`response_status` is the answer's, not the
    /// device's, and is not kept).
    public init(_ device: Device) {
        self.init(
            serialNumber: device.serialNumber,
            model: device.model,
            description: device.description,
            color: device.color,
            assetTag: device.assetTag,
            deviceFamily: device.deviceFamily,
            os: device.os,
            profileStatus: device.profileStatus,
            profileUUID: device.profileUUID,
            profileAssignTime: device.profileAssignTime,
            profilePushTime: device.profilePushTime,
            deviceAssignedDate: device.deviceAssignedDate,
            deviceAssignedBy: device.deviceAssignedBy,
            opType: device.opType,
            opDate: device.opDate
        )
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
}
