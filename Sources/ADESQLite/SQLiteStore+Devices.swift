public import ADECore
import ADESupport
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
        _ records: [DeviceRecord],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        lease: LeaseRenewal?,
        now: Date
    ) async throws -> PageChanges {
        let changes = try await write { db in
            guard let token = try Self.tokenRow(db, "id = ?", [tokenID]) else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            if let lease, try !Self.renewLease(db, tokenID: tokenID, holder: lease.holder, until: lease.until) {
                throw StoreError(.leaseLost, parameters: ["token": String(tokenID)])
            }
            var merged = try Self.merge(records, tokenID: tokenID, generation: cursor.fetchGeneration, now: now, in: db)
            if completesFetch {
                let gone = try String.fetchAll(
                    db,
                    sql: """
                        UPDATE devices SET removed_at = ?, updated_at = ?
                        WHERE token_id = ? AND removed_at IS NULL AND fetch_generation < ?
                        RETURNING serial
                        """,
                    arguments: [now.stored, now.stored, tokenID, cursor.fetchGeneration]
                )
                merged.removedByFetch(gone)
            }
            try Self.storeCursor(db, cursor, tokenID: tokenID)
            try Self.record(merged, token: token, now: now, in: db)
            if let runID = lease?.runID {
                try db.execute(
                    sql: """
                        UPDATE sync_runs SET pages = pages + 1, added = added + ?, modified = modified + ?,
                            removed = removed + ?
                        WHERE id = ? AND outcome = 'running'
                        """,
                    arguments: [merged.changes.added, merged.changes.modified, merged.changes.removed, runID]
                )
            }
            return merged.changes
        }
        if completesFetch { await checkpoint() }
        return changes
    }

    public func applyDetails(_ records: [DeviceRecord], tokenID: Int64, now: Date) async throws -> PageChanges {
        try await write { db in
            guard let token = try Self.tokenRow(db, "id = ?", [tokenID]) else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            let merged = try Self.merge(records, tokenID: tokenID, generation: nil, now: now, in: db)
            try Self.record(merged, token: token, now: now, in: db)
            return merged.changes
        }
    }

    /// Merges records into the token's stored devices (``DeviceMerge/page(_:existing:tokenID:generation:now:)``) and
    /// writes the changed rows.
    /// - Parameter generation: The full fetch that saw the records; nil: details of stored devices only.
    static func merge(_ records: [DeviceRecord], tokenID: Int64, generation: Int?, now: Date, in db: Database) throws
        -> DeviceMerge.Page
    {
        // Looked up here, on the writer, rather than read ahead on another connection: the lookup brings the
        // serial index's pages into the writer's cache, where the writes below find them (measured: reading
        // ahead cost more CPU than it saved, as every index page was then read twice).
        let (existing, rowIDs) = try existingDevices(db, tokenID: tokenID, serials: Set(records.map(\.serialNumber)))
        let merged = DeviceMerge.page(records, existing: existing, tokenID: tokenID, generation: generation, now: now)
        let changed = merged.changed
        let insert = try db.cachedStatement(sql: upsertSQL)
        let update = try db.cachedStatement(sql: updateSQL)
        // In serial order: consecutive writes share the index's pages. A stored device is updated by its row id
        // (found by the lookup above), which costs half of an upsert's failed insert and update.
        for serial in changed.keys.sorted() {
            if let rowID = rowIDs[serial] {
                try write(changed[serial]!, with: update, rowID: rowID, in: db)
            } else {
                try write(changed[serial]!, with: insert, in: db)
            }
        }
        return merged
    }

    /// Moves the token's device counts and writes the change's events.
    static func record(_ merged: DeviceMerge.Page, token: EnrollmentToken, now: Date, in db: Database) throws {
        if merged.presentDelta != 0 || merged.allDelta != 0 {
            try db.execute(
                sql:
                    "UPDATE tokens SET present_devices = present_devices + ?, all_devices = all_devices + ? WHERE id = ?",
                arguments: [merged.presentDelta, merged.allDelta, token.id]
            )
        }
        try append(merged.events(token: token, at: now), in: db)
    }

    public func devices(tokenID: Int64, matching query: DeviceQuery, after serial: String?, limit: Int)
        async throws -> [StoredDevice]
    {
        try await read { db in try Self.devices(db, tokenID: tokenID, matching: query, after: serial, limit: limit) }
    }

    public func devices(tokenNamed name: String, matching query: DeviceQuery, after serial: String?, limit: Int)
        async throws -> (token: EnrollmentToken, devices: [StoredDevice])?
    {
        try await read { db in
            guard let token = try Self.tokenRow(db, "name = ?", [name]) else { return nil }
            return (token, try Self.devices(db, tokenID: token.id, matching: query, after: serial, limit: limit))
        }
    }

    static func devices(_ db: Database, tokenID: Int64, matching query: DeviceQuery, after serial: String?, limit: Int)
        throws -> [StoredDevice]
    {
        // The serial index gives the order and the search range; the other filters read the rows it visits.
        var conditions = ["token_id = ?", "serial > ?"]
        var arguments: StatementArguments = [tokenID, serial ?? ""]
        if let prefix = query.serialPrefix {
            conditions += ["serial >= ?", "serial < ?"]
            arguments += [prefix, prefix + "\u{10FFFF}"]
        }
        switch query.presence {
        case .present: conditions.append("removed_at IS NULL")
        case .removed: conditions.append("removed_at IS NOT NULL")
        case .all: break
        }
        if let status = query.profileStatus {
            conditions.append("profile_status = ?")
            arguments += [status.rawValue]
        }
        arguments += [max(0, limit)]
        return try devices(
            db.cachedStatement(
                sql: "SELECT \(deviceColumns) FROM devices WHERE \(conditions.joined(separator: " AND ")) "
                    + "ORDER BY serial LIMIT ?"
            ),
            arguments: arguments,
            in: db,
            // At most the API's largest page, and the one more that tells whether another follows.
            capacity: min(max(0, limit), 1001)
        )
    }

    public func device(tokenID: Int64, serial: String) async throws -> StoredDevice? {
        try await read { db in
            try Self.devices(
                db.cachedStatement(sql: "SELECT \(Self.deviceColumns) FROM devices WHERE token_id = ? AND serial = ?"),
                arguments: [tokenID, serial],
                in: db
            ).first
        }
    }

    public func storedSerials(tokenID: Int64, among serials: [String]) async throws -> Set<String> {
        try await read { db in
            var stored: Set<String> = []
            // SQLite binds at most 32,766 variables a statement: 500 at a time.
            for start in stride(from: 0, to: serials.count, by: 500) {
                let chunk = Array(serials[start..<min(start + 500, serials.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                stored.formUnion(
                    try String.fetchAll(
                        db,
                        sql: "SELECT serial FROM devices WHERE token_id = ? AND serial IN (\(marks))",
                        arguments: StatementArguments([tokenID] as [any DatabaseValueConvertible] + chunk)
                    )
                )
            }
            return stored
        }
    }

    public func deviceCount(tokenID: Int64, includeRemoved: Bool) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT \(includeRemoved ? "all_devices" : "present_devices") FROM tokens WHERE id = ?",
                arguments: [tokenID]
            ) ?? 0
        }
    }

    public func deviceCounts(tokenIDs: [Int64]?) async throws -> [Int64: Int] {
        try await read { db in
            let filter = tokenIDs.map { " AND id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try Row.fetchAll(
                db,
                sql: "SELECT id, present_devices FROM tokens WHERE present_devices > 0\(filter)"
            )
            .reduce(into: [:]) { counts, row in counts[row["id"] as Int64] = row["present_devices"] as Int }
        }
    }

    public func highestFetchGeneration(tokenID: Int64) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COALESCE(MAX(fetch_generation), 0) FROM devices WHERE token_id = ?",
                arguments: [tokenID]
            ) ?? 0
        }
    }

    // MARK: - Rows

    /// The stored devices of these serials, and their row ids.
    static func existingDevices(_ db: Database, tokenID: Int64, serials: Set<String>) throws
        -> (devices: [String: StoredDevice], rowIDs: [String: Int64])
    {
        var devices: [String: StoredDevice] = [:]
        var rowIDs: [String: Int64] = [:]
        devices.reserveCapacity(serials.count)
        rowIDs.reserveCapacity(serials.count)
        for chunk in chunks(of: serials.sorted()) {
            let rows = try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: """
                        SELECT \(deviceColumns), id FROM devices
                        WHERE token_id = ? AND serial IN (\(placeholders(chunk.count)))
                        """
                ),
                in: db,
                bind: { row in
                    row.bind(tokenID)
                    for serial in chunk { row.bind(serial) }
                },
                { row in (device(from: row), row.int64(20)) }
            )
            for (device, rowID) in rows {
                devices[device.serialNumber] = device
                rowIDs[device.serialNumber] = rowID
            }
        }
        return (devices, rowIDs)
    }

    /// Serial numbers in chunks for `IN (…)` lists: SQLite takes at most 32,766 parameters, and pages hold at most a
    /// few thousand serials.
    static func chunks(of serials: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: serials.count, by: 5000).map { serials[$0..<min($0 + 5000, serials.count)] }
    }

    /// `?, ?, …`: `count` parameters.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// The device columns, in the order of ``upsert(_:with:in:)`` and ``device(from:)``.
    static let deviceColumns = """
        token_id, serial, model, description, color, asset_tag, device_family, os, profile_status, profile_uuid, \
        profile_assign_time, profile_push_time, device_assigned_date, device_assigned_by, op_type, op_date, extra, \
        removed_at, fetch_generation, updated_at
        """

    /// Updates the stored device of row id `?21` with the values of ``upsertSQL`` (`?1`, `?2`: the token and
    /// serial, which must match).
    static let updateSQL = """
        UPDATE devices SET model = ?3, description = ?4, color = ?5, asset_tag = ?6, device_family = ?7, os = ?8,
            profile_status = ?9, profile_uuid = ?10, profile_assign_time = ?11, profile_push_time = ?12,
            device_assigned_date = ?13, device_assigned_by = ?14, op_type = ?15, op_date = ?16, extra = ?17,
            removed_at = ?18, fetch_generation = ?19, updated_at = ?20
        WHERE id = ?21 AND token_id = ?1 AND serial = ?2
        """

    /// Inserts a device, or updates it in place (keeping its row id, so its row is not moved).
    static let upsertSQL = """
        INSERT INTO devices (\(deviceColumns))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (token_id, serial) DO UPDATE SET model = excluded.model, description = excluded.description,
            color = excluded.color, asset_tag = excluded.asset_tag, device_family = excluded.device_family,
            os = excluded.os, profile_status = excluded.profile_status, profile_uuid = excluded.profile_uuid,
            profile_assign_time = excluded.profile_assign_time, profile_push_time = excluded.profile_push_time,
            device_assigned_date = excluded.device_assigned_date, device_assigned_by = excluded.device_assigned_by,
            op_type = excluded.op_type, op_date = excluded.op_date, extra = excluded.extra,
            removed_at = excluded.removed_at, fetch_generation = excluded.fetch_generation,
            updated_at = excluded.updated_at
        """

    static func storeCursor(_ db: Database, _ cursor: SyncCursorState?, tokenID: Int64) throws {
        guard let cursor else {
            try db.execute(sql: "DELETE FROM sync_cursors WHERE token_id = ?", arguments: [tokenID])
            return
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO sync_cursors (token_id, phase, cursor, fetch_generation, fetch_started_at,
                    last_full_fetch_at, recovery_since)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                tokenID, cursor.phase.rawValue, cursor.cursor, cursor.fetchGeneration, cursor.fetchStartedAt?.stored,
                cursor.lastFullFetchAt?.stored, cursor.recoverySince?.stored,
            ]
        )
    }

    static func cursor(from row: Row) -> SyncCursorState {
        SyncCursorState(
            phase: SyncCursorState.Phase(rawValue: row["phase"]) ?? .fetch,
            cursor: row["cursor"],
            fetchGeneration: row["fetch_generation"],
            fetchStartedAt: (row["fetch_started_at"] as Double?).map(Date.init(stored:)),
            lastFullFetchAt: (row["last_full_fetch_at"] as Double?).map(Date.init(stored:)),
            recoverySince: (row["recovery_since"] as Double?).map(Date.init(stored:))
        )
    }
}
