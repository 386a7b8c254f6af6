public import ADECore
public import ADESupport
public import Foundation
import PostgresNIO

extension PostgresStore: DeviceSyncStore {
    public func cursor(tokenID: Int64) async throws -> SyncCursorState? {
        try await read { connection in
            let rows = try await connection.run(
                """
                SELECT phase, cursor, fetch_generation, fetch_started_at, last_full_fetch_at, recovery_since
                FROM sync_cursors WHERE token_id = \(tokenID)
                """,
                logger: logger
            )
            for try await row in rows.decode((String, String?, Int, Date?, Date?, Date?).self) {
                return SyncCursorState(
                    phase: SyncCursorState.Phase(rawValue: row.0) ?? .fetch,
                    cursor: row.1,
                    fetchGeneration: row.2,
                    fetchStartedAt: row.3,
                    lastFullFetchAt: row.4,
                    recoverySince: row.5
                )
            }
            return nil
        }
    }

    public func setCursor(_ cursor: SyncCursorState?, tokenID: Int64) async throws {
        try await transaction { connection in try await Self.storeCursor(connection, cursor, tokenID: tokenID, logger) }
    }

    public func applyPage(
        _ records: [DeviceRecord],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        lease: LeaseRenewal?,
        now: Date
    ) async throws -> PageChanges {
        try await transaction { connection in
            // The token's row is locked for the page: pages of one token are written one at a time, whichever node
            // writes them.
            guard let token = try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            if let lease,
                try await !Self.renewLease(
                    connection,
                    tokenID: tokenID,
                    holder: lease.holder,
                    until: lease.until,
                    logger
                )
            {
                throw StoreError(.leaseLost, parameters: ["token": String(tokenID)])
            }
            var merged = try await Self.merge(
                records,
                tokenID: tokenID,
                generation: cursor.fetchGeneration,
                fetching: cursor.phase == .fetch || completesFetch,
                now: now,
                connection,
                logger
            )
            if completesFetch {
                var gone: [String] = []
                for try await serial in try await connection.run(
                    """
                    UPDATE devices SET removed_at = \(now), updated_at = \(now)
                    WHERE token_id = \(tokenID) AND removed_at IS NULL AND fetch_generation < \(cursor.fetchGeneration)
                    RETURNING serial
                    """,
                    logger: logger
                ).decode(String.self) {
                    gone.append(serial)
                }
                merged.removedByFetch(gone)
            }
            try await Self.storeCursor(connection, cursor, tokenID: tokenID, logger)
            try await Self.record(merged, token: token, now: now, connection, logger)
            if let runID = lease?.runID {
                try await connection.run(
                    """
                    UPDATE sync_runs SET pages = pages + 1, added = added + \(merged.changes.added),
                        modified = modified + \(merged.changes.modified), removed = removed + \(merged.changes.removed)
                    WHERE id = \(runID) AND outcome = 'running'
                    """,
                    logger: logger
                )
            }
            return merged.changes
        }
    }

    public func applyDetails(_ records: [DeviceRecord], tokenID: Int64, now: Date) async throws -> PageChanges {
        try await transaction { connection in
            guard let token = try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) else {
                throw StoreError(.notFound, parameters: ["name": String(tokenID)])
            }
            let merged = try await Self.merge(
                records,
                tokenID: tokenID,
                generation: nil,
                fetching: false,
                now: now,
                connection,
                logger
            )
            try await Self.record(merged, token: token, now: now, connection, logger)
            return merged.changes
        }
    }

    public func devices(tokenID: Int64, matching query: DeviceQuery, after serial: String?, limit: Int)
        async throws -> [StoredDevice]
    {
        try await read { connection in
            try await Self.devices(connection, tokenID: tokenID, matching: query, after: serial, limit: limit, logger)
        }
    }

    public func devices(tokenNamed name: String, matching query: DeviceQuery, after serial: String?, limit: Int)
        async throws -> (token: EnrollmentToken, devices: [StoredDevice])?
    {
        try await read { connection in
            guard let token = try await Self.token(connection, "lower(name) = lower($1)", [name], logger) else {
                return nil
            }
            let devices = try await Self.devices(
                connection,
                tokenID: token.id,
                matching: query,
                after: serial,
                limit: limit,
                logger
            )
            return (token, devices)
        }
    }

    public func device(tokenID: Int64, serial: String) async throws -> StoredDevice? {
        try await read { connection in
            try await Self.devices(
                connection,
                "SELECT \(Self.deviceColumns) FROM devices WHERE token_id = $1 AND serial = $2",
                [tokenID, serial],
                logger
            ).first
        }
    }

    public func storedSerials(tokenID: Int64, among serials: [String]) async throws -> Set<String> {
        guard !serials.isEmpty else { return [] }
        return try await read { connection in
            var stored: Set<String> = []
            for try await serial in try await connection.run(
                "SELECT serial FROM devices WHERE token_id = \(tokenID) AND serial = ANY(\(serials))",
                logger: logger
            ).decode(String.self) {
                stored.insert(serial)
            }
            return stored
        }
    }

    public func deviceCount(tokenID: Int64, includeRemoved: Bool) async throws -> Int {
        try await read { connection in
            let column = includeRemoved ? "all_devices" : "present_devices"
            for try await count in try await connection.run(
                "SELECT \(unescaped: column) FROM tokens WHERE id = \(tokenID)",
                logger: logger
            ).decode(Int.self) {
                return count
            }
            return 0
        }
    }

    public func deviceCounts(tokenIDs: [Int64]?) async throws -> [Int64: Int] {
        try await read { connection in
            let query: PostgresQuery =
                if let tokenIDs {
                    "SELECT id, present_devices FROM tokens WHERE present_devices > 0 AND id = ANY(\(tokenIDs))"
                } else {
                    "SELECT id, present_devices FROM tokens WHERE present_devices > 0"
                }
            var counts: [Int64: Int] = [:]
            for try await (id, count) in try await connection.run(query, logger: logger).decode((Int64, Int).self) {
                counts[id] = count
            }
            return counts
        }
    }

    public func highestFetchGeneration(tokenID: Int64) async throws -> Int {
        try await read { connection in
            for try await generation in try await connection.run(
                "SELECT COALESCE(MAX(fetch_generation), 0)::bigint FROM devices WHERE token_id = \(tokenID)",
                logger: logger
            ).decode(Int.self) {
                return generation
            }
            return 0
        }
    }

    // MARK: - Pages

    /// Merges records into the token's stored devices (``DeviceMerge/page(_:existing:tokenID:generation:now:)``) and
    /// writes the changed rows in one statement.
    ///
    /// A page of a token's first full fetch (`fetching`, and no device of an earlier fetch) holds new devices but
    /// for the rare one repeated from an earlier page: they are inserted as new at once, and only those already there
    /// are read and merged again. Reading every serial first costs an index descent each, as much again as the
    /// insert; other pages (deltas, later fetches), whose devices are mostly there, are read first.
    static func merge(
        _ records: [DeviceRecord],
        tokenID: Int64,
        generation: Int?,
        fetching: Bool,
        now: Date,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> DeviceMerge.Page {
        let serials = Set(records.map(\.serialNumber))
        if fetching, let generation, !serials.isEmpty,
            try await !hasDevices(connection, tokenID: tokenID, before: generation, logger)
        {
            let assumed = DeviceMerge.page(records, existing: [:], tokenID: tokenID, generation: generation, now: now)
            let inserted = try await write(assumed.changed.values, onConflict: "DO NOTHING", connection, logger)
            let present = serials.subtracting(inserted)
            guard !present.isEmpty else { return assumed }
            return try await merge(
                records,
                present: present,
                tokenID: tokenID,
                generation: generation,
                now: now,
                connection,
                logger
            )
        }
        return try await merge(
            records,
            present: serials,
            tokenID: tokenID,
            generation: generation,
            now: now,
            connection,
            logger
        )
    }

    /// Merges records with the stored devices of the `present` serials and writes the changed rows of those serials.
    private static func merge(
        _ records: [DeviceRecord],
        present: Set<String>,
        tokenID: Int64,
        generation: Int?,
        now: Date,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> DeviceMerge.Page {
        var existing: [String: StoredDevice] = [:]
        if !present.isEmpty {
            // No row locks: every writer of a token's devices holds the token's row (`FOR UPDATE`) first.
            for device in try await devices(
                connection,
                "SELECT \(deviceColumns) FROM devices WHERE token_id = $1 AND serial = ANY($2)",
                [tokenID, Array(present)],
                logger
            ) {
                existing[device.serialNumber] = device
            }
        }
        let merged = DeviceMerge.page(records, existing: existing, tokenID: tokenID, generation: generation, now: now)
        let changed = merged.changed.values.filter { present.contains($0.serialNumber) }
        _ = try await write(changed, onConflict: updating, connection, logger)
        return merged
    }

    /// Whether the token has a device row from a fetch before `generation`.
    private static func hasDevices(
        _ connection: PostgresConnection,
        tokenID: Int64,
        before generation: Int,
        _ logger: Logger
    ) async throws -> Bool {
        for try await exists in try await connection.run(
            """
            SELECT EXISTS (SELECT 1 FROM devices WHERE token_id = \(tokenID) AND fetch_generation < \(generation))
            """,
            logger: logger
        ).decode(Bool.self) {
            return exists
        }
        return false
    }

    /// `ON CONFLICT` for a row already there: updated in place.
    private static let updating = """
        DO UPDATE SET model = excluded.model, description = excluded.description,
            color = excluded.color, asset_tag = excluded.asset_tag, device_family = excluded.device_family,
            os = excluded.os, profile_status = excluded.profile_status, profile_uuid = excluded.profile_uuid,
            profile_assign_time = excluded.profile_assign_time, profile_push_time = excluded.profile_push_time,
            device_assigned_date = excluded.device_assigned_date,
            device_assigned_by = excluded.device_assigned_by, op_type = excluded.op_type,
            op_date = excluded.op_date, extra = excluded.extra, removed_at = excluded.removed_at,
            fetch_generation = excluded.fetch_generation, updated_at = excluded.updated_at
        """

    /// Inserts devices in one statement of one array a column, in serial order; a row already there is handled as
    /// `onConflict` says. Returns the serials of the rows written.
    static func write(
        _ devices: some Collection<StoredDevice>,
        onConflict: String,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Set<String> {
        guard !devices.isEmpty else { return [] }
        let sorted = devices.sorted { $0.serialNumber < $1.serialNumber }
        var bindings = PostgresBindings(capacity: 20)
        func column<Value: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ value: (StoredDevice) -> Value?) {
            bindings.append(PostgresColumn(sorted.map(value)))
        }
        column { $0.tokenID }
        column { $0.device.serialNumber }
        column { $0.device.model }
        column { $0.device.description }
        column { $0.device.color }
        column { $0.device.assetTag }
        column { $0.device.deviceFamily?.rawValue }
        column { $0.device.os?.rawValue }
        column { $0.device.profileStatus?.rawValue }
        column { $0.device.profileUUID }
        column { $0.device.profileAssignTime }
        column { $0.device.profilePushTime }
        column { $0.device.deviceAssignedDate }
        column { $0.device.deviceAssignedBy }
        column { $0.device.opType?.rawValue }
        column { $0.device.opDate }
        column { DeviceExtras($0.device).json }
        column { $0.removedAt }
        column { $0.fetchGeneration }
        column { $0.updatedAt }
        let parameters = (1...bindings.count).map { "$\($0)" }.joined(separator: ", ")
        let sql = """
            INSERT INTO devices (\(deviceColumns)) SELECT * FROM unnest(\(parameters))
            ON CONFLICT (token_id, serial) \(onConflict) RETURNING serial
            """
        var written: Set<String> = []
        for try await serial in try await connection.run(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            .decode(String.self)
        {
            written.insert(serial)
        }
        return written
    }

    /// Moves the token's device counts and writes the page's events.
    static func record(
        _ merged: DeviceMerge.Page,
        token: EnrollmentToken,
        now: Date,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        if merged.presentDelta != 0 || merged.allDelta != 0 {
            try await connection.run(
                """
                UPDATE tokens SET present_devices = present_devices + \(merged.presentDelta),
                    all_devices = all_devices + \(merged.allDelta)
                WHERE id = \(token.id)
                """,
                logger: logger
            )
        }
        try await append(merged.events(token: token, at: now), connection, logger)
    }

    // MARK: - Rows

    static func devices(
        _ connection: PostgresConnection,
        tokenID: Int64,
        matching query: DeviceQuery,
        after serial: String?,
        limit: Int,
        _ logger: Logger
    ) async throws -> [StoredDevice] {
        var conditions = ["token_id = $1", "serial > $2"]
        var values: [any PostgresEncodable & Sendable] = [tokenID, serial ?? ""]
        if let prefix = query.serialPrefix {
            values += [prefix, prefix + "\u{10FFFF}"]
            conditions += ["serial >= $\(values.count - 1)", "serial < $\(values.count)"]
        }
        switch query.presence {
        case .present: conditions.append("removed_at IS NULL")
        case .removed: conditions.append("removed_at IS NOT NULL")
        case .all: break
        }
        if let status = query.profileStatus {
            values.append(status.rawValue)
            conditions.append("profile_status = $\(values.count)")
        }
        values.append(max(0, limit))
        return try await devices(
            connection,
            """
            SELECT \(deviceColumns) FROM devices WHERE \(conditions.joined(separator: " AND "))
            ORDER BY serial LIMIT $\(values.count)
            """,
            values,
            logger
        )
    }

    static func devices(
        _ connection: PostgresConnection,
        _ sql: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [StoredDevice] {
        var devices: [StoredDevice] = []
        for try await row in try await connection.run(try query(sql, values), logger: logger) {
            devices.append(try device(from: row))
        }
        return devices
    }

    /// The device columns, in the order of ``device(from:)``.
    static let deviceColumns = """
        token_id, serial, model, description, color, asset_tag, device_family, os, profile_status, profile_uuid, \
        profile_assign_time, profile_push_time, device_assigned_date, device_assigned_by, op_type, op_date, extra, \
        removed_at, fetch_generation, updated_at
        """

    static func device(from row: PostgresRow) throws -> StoredDevice {
        let (tokenID, serial, model, description, color, assetTag, family, os, status, profileUUID) = try row.decode(
            (Int64, String, String?, String?, String?, String?, String?, String?, String?, String?).self
        )
        let columns = row.makeRandomAccess()
        var device = DeviceRecord(
            serialNumber: serial,
            model: model,
            description: description,
            color: color,
            assetTag: assetTag,
            deviceFamily: family.map(DeviceFamily.init(rawValue:)),
            os: os.map(OperatingSystem.init(rawValue:)),
            profileStatus: status.map(ProfileStatus.init(rawValue:)),
            profileUUID: profileUUID,
            profileAssignTime: try columns[10].decode(Date?.self),
            profilePushTime: try columns[11].decode(Date?.self),
            deviceAssignedDate: try columns[12].decode(Date?.self),
            deviceAssignedBy: try columns[13].decode(String?.self),
            opType: try columns[14].decode(String?.self).map(OperationType.init(rawValue:)),
            opDate: try columns[15].decode(Date?.self)
        )
        DeviceExtras(json: try columns[16].decode(String?.self))?.apply(to: &device)
        return StoredDevice(
            tokenID: tokenID,
            device: device,
            removedAt: try columns[17].decode(Date?.self),
            fetchGeneration: try columns[18].decode(Int.self),
            updatedAt: try columns[19].decode(Date.self)
        )
    }

    static func storeCursor(
        _ connection: PostgresConnection,
        _ cursor: SyncCursorState?,
        tokenID: Int64,
        _ logger: Logger
    ) async throws {
        guard let cursor else {
            try await connection.run("DELETE FROM sync_cursors WHERE token_id = \(tokenID)", logger: logger)
            return
        }
        try await connection.run(
            """
            INSERT INTO sync_cursors (token_id, phase, cursor, fetch_generation, fetch_started_at, last_full_fetch_at,
                recovery_since)
            VALUES (\(tokenID), \(cursor.phase.rawValue), \(cursor.cursor), \(cursor.fetchGeneration),
                \(cursor.fetchStartedAt), \(cursor.lastFullFetchAt), \(cursor.recoverySince))
            ON CONFLICT (token_id) DO UPDATE SET phase = excluded.phase, cursor = excluded.cursor,
                fetch_generation = excluded.fetch_generation, fetch_started_at = excluded.fetch_started_at,
                last_full_fetch_at = excluded.last_full_fetch_at, recovery_since = excluded.recovery_since
            """,
            logger: logger
        )
    }
}
