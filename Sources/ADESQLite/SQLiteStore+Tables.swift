public import ADECore
import Foundation
import GRDB

extension SQLiteStore: TableReading {
    public func rows(of table: StoreTable, after: Int64?, limit: Int) async throws -> [[StoredValue]] {
        try await read { db in
            let rows: [Row]
            if let column = table.pagingColumn {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(table.columnList) FROM \(table.name) WHERE \(column) > ? ORDER BY \(column) LIMIT ?",
                    arguments: [after ?? Int64.min, max(0, limit)]
                )
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(table.columnList) FROM \(table.name) ORDER BY \(table.key)")
            }
            return rows.map { row in
                table.columns.indices.map { Self.value(row[$0] as DatabaseValue, as: table.columns[$0].kind) }
            }
        }
    }

    /// A column's value as ``StoredValue`` (times are stored as seconds since 1970, booleans as 0 or 1).
    static func value(_ value: DatabaseValue, as kind: StoreTable.Kind) -> StoredValue {
        switch (value.storage, kind) {
        case (.null, _): .null
        case (.int64(let integer), .integer): .integer(integer)
        case (.double(let real), .integer): .integer(Int64(real))
        case (.int64(let integer), .boolean): .boolean(integer != 0)
        case (.int64(let integer), .time): .time(Date(stored: Double(integer)))
        case (.double(let real), .time): .time(Date(stored: real))
        case (.blob(let data), _): .blob(Array(data))
        case (.string(let text), _): .text(text)
        case (.int64(let integer), _): .text(String(integer))
        case (.double(let real), _): .text(String(real))
        }
    }
}
