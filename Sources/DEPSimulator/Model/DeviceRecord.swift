import ADESupport
import DEPClient
import Foundation

/// One device of a page, with what is needed to write it: taken under the lock, written to JSON outside it.
struct DeviceRecord: Sendable {
    var generator: DeviceGenerator
    var index: Int
    var state: SimulatedServer.DeviceState?
    var opType: OperationType?
    var opDate: Date?
    var responseStatus: DeviceResult?

    /// The record as a wire ``Device`` (details answers and tests; pages use ``DeviceJSONWriter``).
    var device: Device {
        let attributes = generator.attributes(index)
        var device = Device(
            serialNumber: generator.serial(index),
            model: attributes.model,
            description: attributes.description,
            color: attributes.color,
            deviceFamily: attributes.family,
            os: attributes.os,
            profileStatus: state?.profileStatus ?? .empty,
            profileUUID: state?.profileUUID,
            profileAssignTime: state?.profileAssignTime,
            profilePushTime: state?.profilePushTime,
            deviceAssignedDate: attributes.assignedDate,
            deviceAssignedBy: generator.assignedBy,
            opType: opType,
            opDate: opDate
        )
        device.responseStatus = responseStatus
        return device
    }
}
