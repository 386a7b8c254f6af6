public import ADECore
public import ADESupport
public import Foundation
import GRDB

extension SQLiteStore: ProfileStore {
    public func createProfile(tokenID: Int64, name: String, document: ProfileDocument, at date: Date) async throws
        -> StoredProfile
    {
        let body = document.json
        return try await write { db in
            guard try Self.tokenRow(db, "id = ?", [tokenID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": name])
            }
            guard try Self.profileRow(db, "token_id = ? AND name = ?", [tokenID, name]) == nil else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            try db.execute(
                sql: """
                    INSERT INTO profiles (token_id, name, body, version, created_at, updated_at)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """,
                arguments: [tokenID, name, body, date.stored, date.stored]
            )
            return StoredProfile(
                id: db.lastInsertedRowID,
                tokenID: tokenID,
                name: name,
                document: document,
                createdAt: date,
                updatedAt: date
            )
        }
    }

    public func profiles(tokenID: Int64) async throws -> [StoredProfile] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.profileColumns) FROM profiles WHERE token_id = ? ORDER BY name",
                arguments: [tokenID]
            ).map(Self.profile(from:))
        }
    }

    public func profile(id: Int64) async throws -> StoredProfile? {
        try await read { db in try Self.profileRow(db, "id = ?", [id]) }
    }

    public func profile(tokenID: Int64, named name: String) async throws -> StoredProfile? {
        try await read { db in try Self.profileRow(db, "token_id = ? AND name = ?", [tokenID, name]) }
    }

    public func updateProfile(_ profile: StoredProfile) async throws {
        let body = profile.document.json
        try await write { db in
            guard try Self.profileRow(db, "id = ?", [profile.id]) != nil else {
                throw StoreError(.notFound, parameters: ["name": profile.name])
            }
            if try Self.profileRow(
                db,
                "token_id = ? AND name = ? AND id <> ?",
                [profile.tokenID, profile.name, profile.id]
            )
                != nil
            {
                throw StoreError(.duplicateName, parameters: ["name": profile.name])
            }
            try db.execute(
                sql: """
                    UPDATE profiles SET name = ?, body = ?, profile_uuid = ?, version = ?, defined_at = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    profile.name, body, profile.profileUUID, profile.version, profile.definedAt?.stored,
                    profile.updatedAt.stored, profile.id,
                ]
            )
        }
    }

    public func deleteProfile(id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM profiles WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, parameters: ["name": String(id)]) }
        }
    }

    public func setDefaultProfile(tokenID: Int64, family: DeviceFamily?, profileID: Int64?) async throws {
        try await write { db in
            guard let profileID else {
                try db.execute(
                    sql: "DELETE FROM default_profiles WHERE token_id = ? AND family = ?",
                    arguments: [tokenID, family?.rawValue ?? ""]
                )
                return
            }
            guard try Self.profileRow(db, "id = ? AND token_id = ?", [profileID, tokenID]) != nil else {
                throw StoreError(.notFound, parameters: ["name": String(profileID)])
            }
            try db.execute(
                sql: """
                    INSERT INTO default_profiles (token_id, family, profile_id) VALUES (?, ?, ?)
                    ON CONFLICT (token_id, family) DO UPDATE SET profile_id = excluded.profile_id
                    """,
                arguments: [tokenID, family?.rawValue ?? "", profileID]
            )
        }
    }

    public func defaultProfileIDs(tokenID: Int64) async throws -> [DeviceFamily?: Int64] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT family, profile_id FROM default_profiles WHERE token_id = ?",
                arguments: [tokenID]
            ).reduce(into: [:]) { defaults, row in
                let family: String = row[0]
                defaults[family.isEmpty ? nil : DeviceFamily(rawValue: family)] = row[1] as Int64
            }
        }
    }

    public func assignments(tokenID: Int64, serialNumbers: [String]) async throws -> [String: DeviceAssignment] {
        guard !serialNumbers.isEmpty else { return [:] }
        return try await read { db in
            var found: [String: DeviceAssignment] = [:]
            for chunk in Self.chunks(of: serialNumbers.sorted()) {
                let records = try SQLiteColumns.rows(
                    of: db.makeStatement(
                        sql: """
                            SELECT \(Self.assignmentColumns) FROM \(Self.assignmentTables)
                            WHERE d.token_id = ? AND d.serial IN (\(Self.placeholders(chunk.count)))
                            """
                    ),
                    in: db,
                    bind: { row in
                        row.bind(tokenID)
                        for serial in chunk { row.bind(serial) }
                    },
                    Self.assignment(from:)
                )
                for record in records { found[record.serialNumber] = record }
            }
            return found
        }
    }

    public func saveAssignments(_ records: [DeviceAssignment]) async throws {
        guard !records.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO device_assignments (device_id, token_id, status, profile_uuid, failures,
                        next_attempt_at, last_result, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (device_id) DO UPDATE SET status = excluded.status,
                        profile_uuid = excluded.profile_uuid, failures = excluded.failures,
                        next_attempt_at = excluded.next_attempt_at, last_result = excluded.last_result,
                        updated_at = excluded.updated_at
                    """
            )
            for (tokenID, batch) in Dictionary(grouping: records, by: \.tokenID) {
                // A token deleted meanwhile takes its records with it.
                guard let token = try Self.tokenRow(db, "id = ?", [tokenID]) else { continue }
                let latest = Dictionary(batch.map { ($0.serialNumber, $0) }, uniquingKeysWith: { _, last in last })
                // Each record goes to its device's row id, in row id order: the devices a sync just added have
                // consecutive ids, so their records append together.
                var stored: [(id: Int64, record: DeviceAssignment)] = []
                for chunk in Self.chunks(of: latest.keys.sorted()) {
                    stored += try SQLiteColumns.rows(
                        of: db.makeStatement(
                            sql: """
                                SELECT id, serial FROM devices
                                WHERE token_id = ? AND serial IN (\(Self.placeholders(chunk.count)))
                                """
                        ),
                        in: db,
                        bind: { row in
                            row.bind(tokenID)
                            for serial in chunk { row.bind(serial) }
                        },
                        { row in (row.int64(0), latest[row.text(1) ?? ""]) }
                    ).compactMap { id, record in record.map { (id, $0) } }
                }
                stored.sort { $0.id < $1.id }
                for (id, record) in stored {
                    try SQLiteBindings.execute(statement, in: db) { row in
                        row.bind(id)
                        row.bind(record.tokenID)
                        row.bind(record.status.rawValue)
                        row.bind(record.profileUUID)
                        row.bind(record.failures)
                        row.bind(record.nextAttemptAt)
                        row.bind(record.lastResult)
                        row.bind(record.updatedAt)
                    }
                }
                let saved = stored.map(\.record)
                let at = saved.map(\.updatedAt).max() ?? Date()
                try Self.append(
                    [PendingEvent.assignments(token: token, records: saved, at: at)].compactMap { $0 },
                    in: db
                )
            }
        }
    }

    public func assignments(tokenID: Int64, status: DeviceAssignment.Status?, after serial: String?, limit: Int)
        async throws -> [DeviceAssignment]
    {
        try await read { db in
            let filter = status == nil ? "" : " AND a.status = ?"
            var arguments: [any DatabaseValueConvertible] = [tokenID]
            if let status { arguments.append(status.rawValue) }
            arguments += [serial ?? "", max(0, limit)]
            return try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: """
                        SELECT \(Self.assignmentColumns) FROM \(Self.assignmentTables)
                        WHERE a.token_id = ?\(filter) AND d.serial > ? ORDER BY d.serial LIMIT ?
                        """
                ),
                arguments: StatementArguments(arguments),
                in: db,
                Self.assignment(from:)
            )
        }
    }

    public func dueAssignments(tokenID: Int64, at now: Date, limit: Int) async throws -> [DeviceAssignment] {
        try await read { db in
            let statuses = DeviceAssignment.retriedStatuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: """
                        SELECT \(Self.assignmentColumns) FROM \(Self.assignmentTables)
                        WHERE a.token_id = ? AND a.status IN (\(statuses)) AND COALESCE(a.next_attempt_at, ?) <= ?
                        ORDER BY COALESCE(a.next_attempt_at, ?), d.serial LIMIT ?
                        """
                ),
                arguments: [tokenID, now.stored, now.stored, -Double.greatestFiniteMagnitude, max(0, limit)],
                in: db,
                Self.assignment(from:)
            )
        }
    }

    public func assignmentCounts(tokenID: Int64) async throws -> [DeviceAssignment.Status: Int] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT status, COUNT(*) FROM device_assignments WHERE token_id = ? GROUP BY status",
                arguments: [tokenID]
            ).reduce(into: [:]) { counts, row in
                guard let status = DeviceAssignment.Status(rawValue: row[0]) else { return }
                counts[status] = row[1]
            }
        }
    }

    public func assignedCounts(tokenID: Int64) async throws -> [String: Int] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT profile_uuid, COUNT(*) FROM device_assignments
                    WHERE token_id = ? AND status = ? AND profile_uuid IS NOT NULL GROUP BY profile_uuid
                    """,
                arguments: [tokenID, DeviceAssignment.Status.assigned.rawValue]
            ).reduce(into: [:]) { counts, row in counts[row[0] as String] = row[1] }
        }
    }

    public func assignments(tokenID: Int64, profileUUID: String, statuses: [DeviceAssignment.Status]) async throws
        -> [DeviceAssignment]
    {
        guard !statuses.isEmpty else { return [] }
        return try await read { db in
            try SQLiteColumns.rows(
                of: db.makeStatement(
                    sql: """
                        SELECT \(Self.assignmentColumns) FROM \(Self.assignmentTables)
                        WHERE a.token_id = ? AND a.status IN (\(Self.placeholders(statuses.count)))
                            AND a.profile_uuid = ?
                        """
                ),
                arguments: StatementArguments([tokenID] + statuses.map(\.rawValue) + [profileUUID]),
                in: db,
                Self.assignment(from:)
            )
        }
    }

    // MARK: - Rows

    static let profileColumns =
        "id, token_id, name, body, profile_uuid, version, defined_at, created_at, updated_at"

    /// A record's columns, read by ``assignment(from:)`` from ``assignmentTables``.
    static let assignmentColumns =
        "a.token_id, d.serial, a.status, a.profile_uuid, a.failures, a.next_attempt_at, a.last_result, a.updated_at"

    /// Records with their device, whose serial number they are known by.
    static let assignmentTables = "device_assignments a JOIN devices d ON d.id = a.device_id"

    static func profileRow(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws
        -> StoredProfile?
    {
        try Row.fetchOne(db, sql: "SELECT \(profileColumns) FROM profiles WHERE \(condition)", arguments: arguments)
            .map(profile(from:))
    }

    /// Apple's fields as the JSON Apple takes.
    static func profile(from row: Row) -> StoredProfile {
        let body: String = row[3]
        return StoredProfile(
            id: row[0],
            tokenID: row[1],
            name: row[2],
            document: ProfileDocument(json: body),
            profileUUID: row[4],
            version: row[5],
            definedAt: (row[6] as Double?).map(Date.init(stored:)),
            createdAt: Date(stored: row[7]),
            updatedAt: Date(stored: row[8])
        )
    }

    static func assignment(from row: SQLiteColumns) -> DeviceAssignment {
        DeviceAssignment(
            tokenID: row.int64(0),
            serialNumber: row.text(1) ?? "",
            status: row.text(2).flatMap(DeviceAssignment.Status.init(rawValue:)) ?? .failed,
            profileUUID: row.text(3),
            failures: row.int(4),
            nextAttemptAt: row.date(5),
            lastResult: row.text(6),
            updatedAt: row.requiredDate(7)
        )
    }
}
