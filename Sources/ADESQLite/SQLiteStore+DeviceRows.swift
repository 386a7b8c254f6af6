import ADECore
import ADESupport
import Foundation
import GRDB
import GRDBSQLite

extension SQLiteStore {
    /// Writes one device with the prepared ``upsertSQL`` statement, or ``updateSQL`` with the device's `rowID`,
    /// binding its values straight to SQLite (``SQLiteBindings``: a full fetch writes a million rows).
    static func write(_ stored: StoredDevice, with statement: Statement, rowID: Int64? = nil, in db: Database) throws {
        let device = stored.device
        try SQLiteBindings.execute(statement, in: db) { row in
            row.bind(stored.tokenID)
            row.bind(device.serialNumber)
            row.bind(device.model)
            row.bind(device.description)
            row.bind(device.color)
            row.bind(device.assetTag)
            row.bind(device.deviceFamily?.rawValue)
            row.bind(device.os?.rawValue)
            row.bind(device.profileStatus?.rawValue)
            row.bind(device.profileUUID)
            row.bind(device.profileAssignTime)
            row.bind(device.profilePushTime)
            row.bind(device.deviceAssignedDate)
            row.bind(device.deviceAssignedBy)
            row.bind(device.opType?.rawValue)
            row.bind(device.opDate)
            row.bind(DeviceExtras(device).json)
            row.bind(stored.removedAt)
            row.bind(stored.fetchGeneration)
            row.bind(stored.updatedAt)
            if let rowID { row.bind(rowID) }
        }
    }

    /// Runs a prepared query of ``deviceColumns`` and reads its rows straight from SQLite's columns: the device
    /// list reads a page of them per request, and GRDB's generic row decoding cost more than the query.
    static func devices(_ statement: Statement, arguments: StatementArguments, in db: Database, capacity: Int = 0)
        throws -> [StoredDevice]
    {
        try SQLiteColumns.rows(of: statement, arguments: arguments, in: db, capacity: capacity, device(from:))
    }

    /// A device from a row of ``deviceColumns``, read by position.
    static func device(from row: SQLiteColumns) -> StoredDevice {
        var device = DeviceRecord(
            serialNumber: row.text(1) ?? "",
            model: row.text(2),
            description: row.text(3),
            color: row.text(4),
            assetTag: row.text(5),
            deviceFamily: row.text(6).map(DeviceFamily.init(rawValue:)),
            os: row.text(7).map(OperatingSystem.init(rawValue:)),
            profileStatus: row.text(8).map(ProfileStatus.init(rawValue:)),
            profileUUID: row.text(9),
            profileAssignTime: row.date(10),
            profilePushTime: row.date(11),
            deviceAssignedDate: row.date(12),
            deviceAssignedBy: row.text(13),
            opType: row.text(14).map(OperationType.init(rawValue:)),
            opDate: row.date(15)
        )
        DeviceExtras(json: row.text(16))?.apply(to: &device)
        return StoredDevice(
            tokenID: row.int64(0),
            device: device,
            removedAt: row.date(17),
            fetchGeneration: row.int(18),
            updatedAt: row.requiredDate(19)
        )
    }
}
