public import ADECore
import Foundation
import PostgresNIO

extension PostgresStore: TableReading {
    public func rows(of table: StoreTable, after: Int64?, limit: Int) async throws -> [[StoredValue]] {
        try await read { connection in
            try await Self.rows(of: table, after: after, limit: limit, connection, logger)
        }
    }

    static func rows(
        of table: StoreTable,
        after: Int64?,
        limit: Int,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> [[StoredValue]] {
        // Times are read as whole microseconds since 1970, exactly as stored (a Date would round them).
        let columns = table.columns.map { column in
            column.kind == .time ? "(EXTRACT(EPOCH FROM \(column.name)) * 1000000)::bigint" : column.name
        }.joined(separator: ", ")
        let query: PostgresQuery
        if let column = table.pagingColumn {
            query = """
                SELECT \(unescaped: columns) FROM \(unescaped: table.name)
                WHERE \(unescaped: column) > \(after ?? Int64.min) ORDER BY \(unescaped: column)
                LIMIT \(max(0, limit))
                """
        } else {
            query = """
                SELECT \(unescaped: columns) FROM \(unescaped: table.name)
                ORDER BY \(unescaped: Self.byteOrder(table))
                """
        }
        var rows: [[StoredValue]] = []
        for try await row in try await connection.run(query, logger: logger) {
            let columns = row.makeRandomAccess()
            rows.append(try table.columns.indices.map { try Self.value(columns[$0], as: table.columns[$0].kind) })
        }
        return rows
    }

    /// The tables as one connection sees them: inside a transaction, its own rows before it commits.
    struct ConnectionTables: TableReading {
        let connection: PostgresConnection
        let logger: Logger

        func rows(of table: StoreTable, after: Int64?, limit: Int) async throws -> [[StoredValue]] {
            try await PostgresStore.rows(of: table, after: after, limit: limit, connection, logger)
        }
    }

    /// The table's key as an `ORDER BY` that sorts text byte by byte, as SQLite does.
    static func byteOrder(_ table: StoreTable) -> String {
        table.key.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            let kind = table.columns.first { $0.name == name }?.kind
            return kind == .text ? "\(name) COLLATE \"C\"" : name
        }.joined(separator: ", ")
    }

    static func value(_ cell: PostgresCell, as kind: StoreTable.Kind) throws -> StoredValue {
        switch kind {
        case .integer: try cell.decode(Int64?.self).map(StoredValue.integer) ?? .null
        case .text: try cell.decode(String?.self).map(StoredValue.text) ?? .null
        case .blob: try cell.decode(Data?.self).map { .blob(Array($0)) } ?? .null
        case .time: try cell.decode(Int64?.self).map { StoredValue.time($0) } ?? .null
        case .boolean: try cell.decode(Bool?.self).map(StoredValue.boolean) ?? .null
        }
    }
}

extension PostgresStore: TableWriting {
    public func firstNonEmptyTable() async throws -> String? {
        try await read { connection in
            for table in StoreTables.all + [StoreTables.leases] {
                for try await _ in try await connection.run(
                    "SELECT 1 FROM \(unescaped: table.name) LIMIT 1",
                    logger: logger
                ) {
                    return table.name
                }
            }
            return nil
        }
    }

    public func copyIn(
        _ body: (_ insert: ([[StoredValue]], StoreTable) async throws -> Void) async throws -> Void,
        verify: (StoreTable, (rows: Int, digest: String)) async throws -> Void
    ) async throws {
        try await transaction { connection in
            try await body { rows, table in
                // At most 65,535 parameters a statement.
                let perStatement = max(1, 60_000 / table.columns.count)
                for start in stride(from: 0, to: rows.count, by: perStatement) {
                    try await Self.insert(rows[start..<min(start + perStatement, rows.count)], into: table, connection)
                }
            }
            for table in StoreTables.all where table.isNumbered {
                // Numbering goes on after the highest copied id.
                try await connection.run(
                    """
                    SELECT setval(pg_get_serial_sequence(\(table.name), 'id'), COALESCE(MAX(id), 0) + 1, false)
                    FROM \(unescaped: table.name)
                    """,
                    logger: logger
                )
            }
            let copied = ConnectionTables(connection: connection, logger: logger)
            for table in StoreTables.all { try await verify(table, try await copied.checksum(of: table)) }
        }
    }

    static func insert(
        _ rows: ArraySlice<[StoredValue]>,
        into table: StoreTable,
        _ connection: PostgresConnection
    ) async throws {
        guard !rows.isEmpty else { return }
        var bindings = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        for row in rows {
            // A time is bound as its microseconds and made a timestamp in SQL, exactly.
            let first = bindings.count + 1
            let cells = zip(first..<first + row.count, table.columns).map { index, column in
                column.kind == .time
                    ? "('epoch'::timestamptz + $\(index)::bigint * interval '1 microsecond')" : "$\(index)"
            }
            tuples.append("(" + cells.joined(separator: ",") + ")")
            for (value, column) in zip(row, table.columns) {
                switch value {
                case .null:
                    // A typed null, so that PostgreSQL knows the column's type from the statement alone.
                    switch column.kind {
                    case .integer: try bindings.append(Int64?.none)
                    case .text: try bindings.append(String?.none)
                    case .blob: try bindings.append(Data?.none)
                    case .time: try bindings.append(Int64?.none)
                    case .boolean: try bindings.append(Bool?.none)
                    }
                case .integer(let integer): try bindings.append(integer)
                case .text(let text): try bindings.append(text)
                case .blob(let bytes): try bindings.append(Data(bytes))
                case .time(let microseconds): try bindings.append(microseconds)
                case .boolean(let flag): try bindings.append(flag)
                }
            }
        }
        let sql = "INSERT INTO \(table.name) (\(table.columnList)) VALUES \(tuples.joined(separator: ","))"
        try await connection.run(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Logger(label: "ade.copy"))
    }
}
