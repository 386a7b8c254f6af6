import Foundation
import GRDB
import GRDBSQLite

/// Values bound straight to a prepared statement's parameters, in order.
///
/// The sync path writes a million device rows in a full fetch, and an assignment record for each: binding through
/// `StatementArguments` boxed every value and cost as much as SQLite's own work. Values are copied by SQLite
/// (`SQLITE_TRANSIENT`), so nothing outlives the call.
struct SQLiteBindings {
    let handle: OpaquePointer
    private var position: Int32 = 0

    /// Bindings from the first parameter of `statement`, its earlier values cleared.
    init(_ statement: Statement) {
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private mutating func next() -> Int32 {
        position += 1
        return position
    }

    mutating func bind(_ value: String?) {
        let position = next()
        guard var value else {
            sqlite3_bind_null(handle, position)
            return
        }
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, position, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    mutating func bind(_ value: Date?) {
        let position = next()
        if let value {
            sqlite3_bind_double(handle, position, value.stored)
        } else {
            sqlite3_bind_null(handle, position)
        }
    }

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(handle, next(), value)
    }

    mutating func bind(_ value: Int) {
        bind(Int64(value))
    }

    /// Binds with `bind` and runs `statement`, which returns no rows.
    static func execute(_ statement: Statement, in db: Database, _ bind: (inout SQLiteBindings) -> Void) throws {
        var bindings = SQLiteBindings(statement)
        bind(&bindings)
        let code = sqlite3_step(bindings.handle)
        sqlite3_reset(bindings.handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql
            )
        }
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the value now.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
