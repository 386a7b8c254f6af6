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
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column)
            else { return nil }
            return String(cString: bytes)
        }
        func date(_ column: Int32) -> Date? {
            sqlite3_column_type(handle, column) == SQLITE_NULL
                ? nil : Date(stored: sqlite3_column_double(handle, column))
        }
        var result: [StoredDevice] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql
                )
            }
            var device = Device(
                serialNumber: text(1) ?? "",
                model: text(2),
                description: text(3),
                color: text(4),
                assetTag: text(5),
                deviceFamily: text(6).map(DeviceFamily.init(rawValue:)),
                os: text(7).map(OperatingSystem.init(rawValue:)),
                profileStatus: text(8).map(ProfileStatus.init(rawValue:)),
                profileUUID: text(9),
                profileAssignTime: date(10),
                profilePushTime: date(11),
                deviceAssignedDate: date(12),
                deviceAssignedBy: text(13),
                opType: text(14).map(OperationType.init(rawValue:)),
                opDate: date(15)
            )
            DeviceExtras(json: text(16))?.apply(to: &device)
            result.append(
                StoredDevice(
                    tokenID: sqlite3_column_int64(handle, 0),
                    device: device,
                    removedAt: date(17),
                    fetchGeneration: Int(sqlite3_column_int64(handle, 18)),
                    updatedAt: Date(stored: sqlite3_column_double(handle, 19))
                )
            )
        }
        return result
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the value now.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
