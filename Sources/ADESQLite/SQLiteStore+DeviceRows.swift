import ADECore
import DEPClient
import Foundation
import GRDB
import GRDBSQLite

extension SQLiteStore {
    /// Writes one device with the prepared ``upsertSQL`` statement, binding its twenty values straight to SQLite.
    ///
    /// The sync path writes a million rows in a full fetch: binding through `StatementArguments` boxed every value
    /// and cost as much as SQLite's own work, so this one statement binds directly. Values are copied by SQLite
    /// (`SQLITE_TRANSIENT`), so nothing outlives the call.
    static func upsert(_ stored: StoredDevice, with statement: Statement, in db: Database) throws {
        let handle = statement.sqliteStatement
        let device = stored.device
        sqlite3_reset(handle)
        var index: Int32 = 0
        func next() -> Int32 {
            index += 1
            return index
        }
        func bind(_ value: String?) {
            let position = next()
            guard var value else {
                sqlite3_bind_null(handle, position)
                return
            }
            value.withUTF8 { bytes in
                _ = sqlite3_bind_text(handle, position, bytes.baseAddress, Int32(bytes.count), transient)
            }
        }
        func bind(_ value: Date?) {
            let position = next()
            if let value {
                sqlite3_bind_double(handle, position, value.stored)
            } else {
                sqlite3_bind_null(handle, position)
            }
        }
        func bind(_ value: Int64) {
            sqlite3_bind_int64(handle, next(), value)
        }
        bind(stored.tokenID)
        bind(device.serialNumber)
        bind(device.model)
        bind(device.description)
        bind(device.color)
        bind(device.assetTag)
        bind(device.deviceFamily?.rawValue)
        bind(device.os?.rawValue)
        bind(device.profileStatus?.rawValue)
        bind(device.profileUUID)
        bind(device.profileAssignTime)
        bind(device.profilePushTime)
        bind(device.deviceAssignedDate)
        bind(device.deviceAssignedBy)
        bind(device.opType?.rawValue)
        bind(device.opDate)
        bind(DeviceExtras(device).json)
        bind(stored.removedAt)
        bind(Int64(stored.fetchGeneration))
        bind(stored.updatedAt)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: upsertSQL
            )
        }
    }

    /// Runs a prepared query of ``deviceColumns`` and reads its rows straight from SQLite's columns: the device
    /// list reads a page of them per request, and GRDB's generic row decoding cost more than the query.
    static func devices(_ statement: Statement, arguments: StatementArguments, in db: Database) throws -> [StoredDevice]
    {
        try SQLiteColumns.rows(of: statement, arguments: arguments, in: db) { row in
            var device = Device(
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

    /// SQLite's `SQLITE_TRANSIENT`: copy the value now.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
