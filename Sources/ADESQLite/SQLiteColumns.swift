import Foundation
import GRDB
import GRDBSQLite

/// The current row of a stepped statement, read by position straight from SQLite's columns.
///
/// The API's lists read hundreds of values per request; GRDB's generic row decoding cost more than the queries, so
/// their statements are stepped here. Values are copied out before the next step.
struct SQLiteColumns {
    let handle: OpaquePointer

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func text(_ column: Int32) -> String? {
        // SQLite answers a null pointer for NULL (and an empty text for ''), so no type check first.
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        // The length SQLite already knows (asked after the text, as its documentation says), rather than a strlen.
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    func optionalInt(_ column: Int32) -> Int? {
        isNull(column) ? nil : int(column)
    }

    /// A date stored as seconds since the reference date, or nil.
    func date(_ column: Int32) -> Date? {
        isNull(column) ? nil : requiredDate(column)
    }

    /// A date of a `NOT NULL` column.
    func requiredDate(_ column: Int32) -> Date {
        Date(stored: sqlite3_column_double(handle, column))
    }

    /// Binds `arguments`, steps `statement` to its end and reads each row with `read`; `capacity` is the rows
    /// expected (a page's limit), reserved at once.
    static func rows<T>(
        of statement: Statement,
        arguments: StatementArguments,
        in db: Database,
        capacity: Int = 0,
        _ read: (SQLiteColumns) throws -> T
    ) throws -> [T] {
        try statement.setArguments(arguments)
        return try step(statement, in: db, capacity: capacity, read)
    }

    /// Binds with `bind` (straight to SQLite: for queries of hundreds of values, such as a page's serial numbers),
    /// steps `statement` to its end and reads each row with `read`.
    static func rows<T>(
        of statement: Statement,
        in db: Database,
        bind: (inout SQLiteBindings) -> Void,
        _ read: (SQLiteColumns) throws -> T
    ) throws -> [T] {
        var bindings = SQLiteBindings(statement)
        bind(&bindings)
        return try step(statement, in: db, read)
    }

    private static func step<T>(
        _ statement: Statement,
        in db: Database,
        capacity: Int = 0,
        _ read: (SQLiteColumns) throws -> T
    ) throws -> [T] {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let columns = SQLiteColumns(handle: handle)
        var result: [T] = []
        result.reserveCapacity(capacity)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return result }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql
                )
            }
            result.append(try read(columns))
        }
    }
}
