import Crypto
public import Foundation

/// The tables every store keeps, as plain rows: what `ade store copy` moves from one store to another and compares
/// table by table. Both stores have these tables with these columns; each maps its own column types to
/// ``StoredValue``.
public enum StoreTables {
    /// The sync leases, which ``all`` leaves out (a copy's target must not hold one either).
    public static let leases = StoreTable("sync_leases", key: "token_id", [("token_id", .integer)])

    /// Every table, parents before the tables that refer to them. Not listed, because they belong to the running
    /// servers of the store they were written in: sync leases, "sync now" requests, nodes, failed sign-in and upload
    /// attempts, and setup links.
    public static let all: [StoreTable] = [
        StoreTable("metadata", key: "key", [("key", .text), ("value", .text)]),
        StoreTable(
            "tokens",
            key: "id",
            [
                ("id", .integer), ("name", .text), ("base_url", .text), ("created_at", .time),
                ("consumer_key", .text), ("access_token_expiry", .time), ("issued_at", .time),
                ("server_name", .text), ("server_uuid", .text), ("organisation_name", .text),
                ("admin_apple_id", .text), ("uploaded_at", .time), ("pending_since", .time),
                ("sync_interval_seconds", .integer), ("present_devices", .integer), ("all_devices", .integer),
                ("state", .text), ("state_since", .time),
            ]
        ),
        StoreTable(
            "token_secrets",
            key: "token_id",
            [
                ("token_id", .integer), ("credentials", .blob), ("pending_credentials", .blob),
                ("current_key", .blob), ("current_certificate", .text), ("staging_key", .blob),
                ("staging_certificate", .text),
            ]
        ),
        StoreTable(
            "sync_cursors",
            key: "token_id",
            [
                ("token_id", .integer), ("phase", .text), ("cursor", .text), ("fetch_generation", .integer),
                ("fetch_started_at", .time), ("last_full_fetch_at", .time), ("recovery_since", .time),
            ]
        ),
        StoreTable(
            "devices",
            key: "id",
            [
                ("id", .integer), ("token_id", .integer), ("serial", .text), ("model", .text),
                ("description", .text), ("color", .text), ("asset_tag", .text), ("device_family", .text),
                ("os", .text), ("profile_status", .text), ("profile_uuid", .text), ("profile_assign_time", .time),
                ("profile_push_time", .time), ("device_assigned_date", .time), ("device_assigned_by", .text),
                ("op_type", .text), ("op_date", .time), ("extra", .text), ("removed_at", .time),
                ("fetch_generation", .integer), ("updated_at", .time),
            ]
        ),
        StoreTable(
            "sync_runs",
            key: "id",
            [
                ("id", .integer), ("token_id", .integer), ("kind", .text), ("started_at", .time),
                ("ended_at", .time), ("pages", .integer), ("added", .integer), ("modified", .integer),
                ("removed", .integer), ("outcome", .text), ("error_code", .text), ("error_detail", .text),
            ]
        ),
        StoreTable(
            "users",
            key: "id",
            [
                ("id", .integer), ("name", .text), ("password_hash", .text), ("created_at", .time),
                ("password_changed_at", .time),
            ]
        ),
        StoreTable(
            "sessions",
            key: "id_hash",
            [
                ("id_hash", .text), ("user_id", .integer), ("csrf_token", .text), ("created_at", .time),
                ("expires_at", .time),
            ]
        ),
        StoreTable(
            "api_tokens",
            key: "id",
            [
                ("id", .integer), ("name", .text), ("scope", .text), ("secret_hash", .text), ("created_at", .time),
                ("last_used_at", .time),
            ]
        ),
        StoreTable(
            "profiles",
            key: "id",
            [
                ("id", .integer), ("token_id", .integer), ("name", .text), ("body", .text), ("profile_uuid", .text),
                ("version", .integer), ("defined_at", .time), ("created_at", .time), ("updated_at", .time),
            ]
        ),
        StoreTable(
            "default_profiles",
            key: "token_id, family",
            [("token_id", .integer), ("family", .text), ("profile_id", .integer)]
        ),
        StoreTable(
            "device_assignments",
            key: "device_id",
            [
                ("device_id", .integer), ("token_id", .integer), ("status", .text), ("profile_uuid", .text),
                ("failures", .integer), ("next_attempt_at", .time), ("last_result", .text), ("updated_at", .time),
            ]
        ),
        StoreTable(
            "outbox",
            key: "id",
            [("id", .integer), ("token_id", .integer), ("kind", .text), ("body", .text), ("created_at", .time)]
        ),
        StoreTable(
            "webhooks",
            key: "id",
            [
                ("id", .integer), ("name", .text), ("sealed_url", .blob), ("sealed_secret", .blob),
                ("masked_url", .text), ("allows_private_network", .boolean), ("last_event_id", .integer),
                ("failures", .integer), ("next_attempt_at", .time), ("created_at", .time), ("channel", .text),
                ("locale", .text),
            ]
        ),
        StoreTable(
            "webhook_deliveries",
            key: "id",
            [
                ("id", .integer), ("webhook_id", .integer), ("event_id", .integer), ("attempt", .integer),
                ("status_code", .integer), ("error", .text), ("duration_ms", .integer), ("at", .time),
            ]
        ),
        StoreTable(
            "token_transitions",
            key: "id",
            [
                ("id", .integer), ("token_id", .integer), ("from_state", .text), ("to_state", .text),
                ("severity", .text), ("error_code", .text), ("at", .time),
            ]
        ),
        StoreTable(
            "expiry_reminders",
            key: "token_id, expires_at, step",
            [("token_id", .integer), ("expires_at", .time), ("step", .integer), ("sent_at", .time)]
        ),
        StoreTable(
            "audit_log",
            key: "id",
            [
                ("id", .integer), ("at", .time), ("actor", .text), ("source", .text), ("action", .text),
                ("target", .text), ("before_values", .text), ("after_values", .text),
            ]
        ),
    ]
}

/// One table of ``StoreTables``: its name, the columns it is ordered by, and its columns with their kinds.
public struct StoreTable: Sendable, Hashable {
    /// What a column holds, whatever type each store gives it.
    public enum Kind: Sendable, Hashable {
        case integer, text, blob, time, boolean
    }

    public let name: String
    /// The `ORDER BY` that lists the table the same way in every store (its primary key).
    public let key: String
    public let columns: [Column]

    public struct Column: Sendable, Hashable {
        public let name: String
        public let kind: Kind
    }

    init(_ name: String, key: String, _ columns: [(String, Kind)]) {
        self.name = name
        self.key = key
        self.columns = columns.map { Column(name: $0.0, kind: $0.1) }
    }

    /// Whether the table is keyed by one integer `id` that the store numbers itself.
    public var isNumbered: Bool { key == "id" }

    /// The one integer column the table is keyed by, which it is read in pages of; nil: a small table, read whole.
    public var pagingColumn: String? {
        guard !key.contains(","), let column = columns.first(where: { $0.name == key }), column.kind == .integer
        else { return nil }
        return key
    }

    /// The column list, for `SELECT` and `INSERT`.
    public var columnList: String { columns.map(\.name).joined(separator: ", ") }
}

/// One value of a row of ``StoreTables``, as every store reads it: times in whole microseconds since 1970 (the
/// precision PostgreSQL keeps), booleans as booleans whatever column holds them.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    /// Microseconds since 1970.
    case time(Int64)
    case boolean(Bool)

    /// A time, rounded to the microsecond.
    public static func time(_ date: Date) -> StoredValue {
        .time(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// The date of a time.
    public var date: Date? {
        guard case .time(let microseconds) = self else { return nil }
        return Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

/// Reading the rows of ``StoreTables``: both stores, so that a copy can be compared table by table.
public protocol TableReading: Sendable {
    /// The rows of `table` in ``StoreTable/key`` order: for a table with a ``StoreTable/pagingColumn``, at most
    /// `limit` rows whose key is above `after` (nil: from the first); for any other table, all of them.
    func rows(of table: StoreTable, after: Int64?, limit: Int) async throws -> [[StoredValue]]
}

extension TableReading {
    /// Every row of `table`, page by page, in key order.
    public func forEachPage(
        of table: StoreTable,
        limit: Int = 5000,
        _ body: ([[StoredValue]]) async throws -> Void
    ) async throws {
        guard let column = table.pagingColumn, let index = table.columns.firstIndex(where: { $0.name == column })
        else {
            try await body(try await rows(of: table, after: nil, limit: limit))
            return
        }
        var after: Int64?
        while true {
            let page = try await rows(of: table, after: after, limit: limit)
            if page.isEmpty { return }
            try await body(page)
            guard case .integer(let last) = page[page.count - 1][index], page.count == limit else { return }
            after = last
        }
    }
}

/// Writing whole tables of ``StoreTables`` into an empty store, in one transaction (PostgreSQL, the target of
/// `ade store copy`).
public protocol TableWriting: Sendable {
    /// The first table of ``StoreTables`` that holds a row, if any.
    func firstNonEmptyTable() async throws -> String?
    /// Runs `body` in one transaction, with a function that inserts rows into a table; numbering then resumes after
    /// the highest copied id, and `verify` is given each table's ``TableReading/checksum(of:)`` as the transaction
    /// sees it, before it commits. Nothing is kept when `body` or `verify` throws.
    func copyIn(
        _ body: (_ insert: ([[StoredValue]], StoreTable) async throws -> Void) async throws -> Void,
        verify: (StoreTable, (rows: Int, digest: String)) async throws -> Void
    ) async throws
}

extension TableReading {
    /// How many rows `table` has and a SHA-256 of them in key order, each value written with its kind: two stores
    /// holding the same rows give the same digest.
    public func checksum(of table: StoreTable) async throws -> (rows: Int, digest: String) {
        var hash = SHA256()
        var count = 0
        try await forEachPage(of: table) { rows in
            count += rows.count
            var bytes: [UInt8] = []
            for row in rows {
                for value in row { value.append(to: &bytes) }
            }
            hash.update(data: bytes)
        }
        return (count, hash.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

extension StoredValue {
    /// The value's bytes for ``TableReading/checksum(of:)``: a tag, then a fixed or length-prefixed encoding.
    func append(to bytes: inout [UInt8]) {
        func integer(_ value: Int64) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        switch self {
        case .null: bytes.append(0)
        case .integer(let value):
            bytes.append(1)
            integer(value)
        case .text(let value):
            bytes.append(2)
            integer(Int64(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        case .blob(let value):
            bytes.append(3)
            integer(Int64(value.count))
            bytes.append(contentsOf: value)
        case .time(let value):
            bytes.append(4)
            integer(value)
        case .boolean(let value): bytes.append(contentsOf: [5, value ? 1 : 0])
        }
    }
}
