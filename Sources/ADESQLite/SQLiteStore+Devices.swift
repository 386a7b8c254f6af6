public import ADECore
public import DEPClient
public import Foundation
import GRDB

extension SQLiteStore: DeviceSyncStore {
    public func cursor(tokenID: Int64) async throws -> SyncCursorState? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_cursors WHERE token_id = ?", arguments: [tokenID])
                .map(Self.cursor(from:))
        }
    }

    public func setCursor(_ cursor: SyncCursorState?, tokenID: Int64) async throws {
        try await write { db in try Self.storeCursor(db, cursor, tokenID: tokenID) }
    }

    public func applyPage(
        _ records: [Device],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        now: Date
    ) async throws -> PageChanges {
        try await write { db in
            guard try Self.tokenRow(db, "id = ?", [tokenID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            var current = try Self.existingDevices(db, tokenID: tokenID, serials: Set(records.map(\.serialNumber)))
            var changed: [String: StoredDevice] = [:]
            var changes = PageChanges()
            for record in records {
                let (device, change) = DeviceMerge.merge(
                    record,
                    into: current[record.serialNumber],
                    tokenID: tokenID,
                    generation: cursor.fetchGeneration,
                    now: now
                )
                DeviceMerge.count(change, into: &changes)
                if change != .stale, device != current[record.serialNumber] {
                    current[record.serialNumber] = device
                    changed[record.serialNumber] = device
                }
            }
            let insert = try db.cachedStatement(sql: Self.upsertSQL)
            for device in changed.values {
                try insert.execute(arguments: Self.arguments(device))
            }
            if completesFetch {
                try db.execute(
                    sql: """
                        UPDATE devices SET removed_at = ?, updated_at = ?
                        WHERE token_id = ? AND removed_at IS NULL AND fetch_generation < ?
                        """,
                    arguments: [now.stored, now.stored, tokenID, cursor.fetchGeneration]
                )
                changes.removed += db.changesCount
            }
            try Self.storeCursor(db, cursor, tokenID: tokenID)
            return changes
        }
    }

    public func devices(tokenID: Int64, after serial: String?, limit: Int, includeRemoved: Bool) async throws
        -> [StoredDevice]
    {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM devices WHERE token_id = ? AND serial > ? \(includeRemoved ? "" : "AND removed_at IS NULL")
                    ORDER BY serial LIMIT ?
                    """,
                arguments: [tokenID, serial ?? "", max(0, limit)]
            ).map(Self.device(from:))
        }
    }

    public func device(tokenID: Int64, serial: String) async throws -> StoredDevice? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM devices WHERE token_id = ? AND serial = ?",
                arguments: [tokenID, serial]
            )
            .map(Self.device(from:))
        }
    }

    public func deviceCount(tokenID: Int64, includeRemoved: Bool) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) FROM devices WHERE token_id = ? \(includeRemoved ? "" : "AND removed_at IS NULL")",
                arguments: [tokenID]
            ) ?? 0
        }
    }

    // MARK: - Rows

    static func existingDevices(_ db: Database, tokenID: Int64, serials: Set<String>) throws -> [String: StoredDevice] {
        guard !serials.isEmpty else { return [:] }
        var result: [String: StoredDevice] = [:]
        // SQLite takes at most 32766 parameters; pages hold at most a few thousand serials, chunked for safety.
        let all = Array(serials)
        for start in stride(from: 0, to: all.count, by: 5000) {
            let chunk = Array(all[start..<min(start + 5000, all.count)])
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let arguments = StatementArguments([tokenID]) + StatementArguments(chunk)
            for row in try Row.fetchAll(
                db,
                sql: "SELECT * FROM devices WHERE token_id = ? AND serial IN (\(placeholders))",
                arguments: arguments
            ) {
                let device = device(from: row)
                result[device.serialNumber] = device
            }
        }
        return result
    }

    static let upsertSQL = """
        INSERT OR REPLACE INTO devices (token_id, serial, model, description, color, asset_tag, device_family, os,
            profile_status, profile_uuid, profile_assign_time, profile_push_time, device_assigned_date,
            device_assigned_by, op_type, op_date, extra, removed_at, fetch_generation, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func arguments(_ stored: StoredDevice) -> StatementArguments {
        let device = stored.device
        let values: [(any DatabaseValueConvertible)?] = [
            stored.tokenID, device.serialNumber, device.model, device.description, device.color, device.assetTag,
            device.deviceFamily?.rawValue, device.os?.rawValue, device.profileStatus?.rawValue, device.profileUUID,
            device.profileAssignTime?.stored, device.profilePushTime?.stored, device.deviceAssignedDate?.stored,
            device.deviceAssignedBy, device.opType?.rawValue, device.opDate?.stored, DeviceExtras(device).json,
            stored.removedAt?.stored, stored.fetchGeneration, stored.updatedAt.stored,
        ]
        return StatementArguments(values)
    }

    static func device(from row: Row) -> StoredDevice {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(stored:)) }
        var device = Device(
            serialNumber: row["serial"],
            model: row["model"],
            description: row["description"],
            color: row["color"],
            assetTag: row["asset_tag"],
            deviceFamily: (row["device_family"] as String?).map(DeviceFamily.init(rawValue:)),
            os: (row["os"] as String?).map(OperatingSystem.init(rawValue:)),
            profileStatus: (row["profile_status"] as String?).map(ProfileStatus.init(rawValue:)),
            profileUUID: row["profile_uuid"],
            profileAssignTime: date("profile_assign_time"),
            profilePushTime: date("profile_push_time"),
            deviceAssignedDate: date("device_assigned_date"),
            deviceAssignedBy: row["device_assigned_by"],
            opType: (row["op_type"] as String?).map(OperationType.init(rawValue:)),
            opDate: date("op_date")
        )
        DeviceExtras(json: row["extra"])?.apply(to: &device)
        return StoredDevice(
            tokenID: row["token_id"],
            device: device,
            removedAt: date("removed_at"),
            fetchGeneration: row["fetch_generation"],
            updatedAt: Date(stored: row["updated_at"])
        )
    }

    static func storeCursor(_ db: Database, _ cursor: SyncCursorState?, tokenID: Int64) throws {
        guard let cursor else {
            try db.execute(sql: "DELETE FROM sync_cursors WHERE token_id = ?", arguments: [tokenID])
            return
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO sync_cursors (token_id, phase, cursor, fetch_generation, fetch_started_at,
                    last_full_fetch_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                tokenID, cursor.phase.rawValue, cursor.cursor, cursor.fetchGeneration, cursor.fetchStartedAt?.stored,
                cursor.lastFullFetchAt?.stored,
            ]
        )
    }

    static func cursor(from row: Row) -> SyncCursorState {
        SyncCursorState(
            phase: SyncCursorState.Phase(rawValue: row["phase"]) ?? .fetch,
            cursor: row["cursor"],
            fetchGeneration: row["fetch_generation"],
            fetchStartedAt: (row["fetch_started_at"] as Double?).map(Date.init(stored:)),
            lastFullFetchAt: (row["last_full_fetch_at"] as Double?).map(Date.init(stored:))
        )
    }
}

/// The device fields without a column of their own (protocol version 8 and 10 additions, details' status), kept as
/// JSON so that every field of Apple's record survives the store.
struct DeviceExtras: Codable {
    var mdmMigrationDeadline: Date?
    var bluetoothMACAddress: String?
    var ethernetMACAddress: [String]?
    var wifiMACAddress: String?
    var imei: [String]?
    var meid: [String]?
    var eid: String?
    var isReplacementDevice: Bool?
    var releasedByReplacement: Bool?
    var responseStatus: String?

    init(_ device: Device) {
        mdmMigrationDeadline = device.mdmMigrationDeadline
        bluetoothMACAddress = device.bluetoothMACAddress
        ethernetMACAddress = device.ethernetMACAddress
        wifiMACAddress = device.wifiMACAddress
        imei = device.imei
        meid = device.meid
        eid = device.eid
        isReplacementDevice = device.isReplacementDevice
        releasedByReplacement = device.releasedByReplacement
        responseStatus = device.responseStatus?.rawValue
    }

    init?(json: String?) {
        guard let json, let value = try? JSONDecoder().decode(DeviceExtras.self, from: Data(json.utf8)) else {
            return nil
        }
        self = value
    }

    /// The JSON text, or nil when every field is absent (the common case costs nothing).
    var json: String? {
        guard
            mdmMigrationDeadline != nil || bluetoothMACAddress != nil || ethernetMACAddress != nil
                || wifiMACAddress != nil || imei != nil || meid != nil || eid != nil || isReplacementDevice != nil
                || releasedByReplacement != nil || responseStatus != nil
        else {
            return nil
        }
        return (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }

    func apply(to device: inout Device) {
        device.mdmMigrationDeadline = mdmMigrationDeadline
        device.bluetoothMACAddress = bluetoothMACAddress
        device.ethernetMACAddress = ethernetMACAddress
        device.wifiMACAddress = wifiMACAddress
        device.imei = imei
        device.meid = meid
        device.eid = eid
        device.isReplacementDevice = isReplacementDevice
        device.releasedByReplacement = releasedByReplacement
        device.responseStatus = responseStatus.map(DeviceResult.init(rawValue:))
    }
}
