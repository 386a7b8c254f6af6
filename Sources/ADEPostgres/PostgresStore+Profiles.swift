public import ADECore
public import ADESupport
public import Foundation
import PostgresNIO
import Synchronization

extension PostgresStore: ProfileStore {
    public func createProfile(tokenID: Int64, name: String, document: ProfileDocument, at date: Date) async throws
        -> StoredProfile
    {
        try await transaction { connection in
            guard try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) != nil else {
                throw StoreError(.notFound, parameters: ["name": name])
            }
            guard
                try await Self.profiles(
                    connection,
                    "token_id = $1 AND lower(name) = lower($2)",
                    [tokenID, name],
                    logger
                )
                .isEmpty
            else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            for try await id in try await connection.run(
                """
                INSERT INTO profiles (token_id, name, body, version, created_at, updated_at)
                VALUES (\(tokenID), \(name), \(document.json), 0, \(date), \(date)) RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                return StoredProfile(
                    id: id,
                    tokenID: tokenID,
                    name: name,
                    document: document,
                    createdAt: date,
                    updatedAt: date
                )
            }
            throw StoreError(.notFound, parameters: ["name": name])
        }
    }

    public func profiles(tokenID: Int64) async throws -> [StoredProfile] {
        try await read { connection in
            try await Self.profiles(connection, "token_id = $1 ORDER BY lower(name), id", [tokenID], logger)
        }
    }

    public func profile(id: Int64) async throws -> StoredProfile? {
        try await read { connection in try await Self.profiles(connection, "id = $1", [id], logger).first }
    }

    public func profile(tokenID: Int64, named name: String) async throws -> StoredProfile? {
        try await read { connection in
            try await Self.profiles(connection, "token_id = $1 AND lower(name) = lower($2)", [tokenID, name], logger)
                .first
        }
    }

    public func updateProfile(_ profile: StoredProfile) async throws {
        try await transaction { connection in
            guard try await !Self.profiles(connection, "id = $1 FOR UPDATE", [profile.id], logger).isEmpty else {
                throw StoreError(.notFound, parameters: ["name": profile.name])
            }
            guard
                try await Self.profiles(
                    connection,
                    "token_id = $1 AND lower(name) = lower($2) AND id <> $3",
                    [profile.tokenID, profile.name, profile.id],
                    logger
                ).isEmpty
            else {
                throw StoreError(.duplicateName, parameters: ["name": profile.name])
            }
            try await connection.run(
                """
                UPDATE profiles SET name = \(profile.name), body = \(profile.document.json),
                    profile_uuid = \(profile.profileUUID), version = \(profile.version),
                    defined_at = \(profile.definedAt), updated_at = \(profile.updatedAt)
                WHERE id = \(profile.id)
                """,
                logger: logger
            )
        }
    }

    public func deleteProfile(id: Int64) async throws {
        try await transaction { connection in
            guard try await Self.count(connection, "DELETE FROM profiles WHERE id = \(id) RETURNING id", logger) > 0
            else {
                throw StoreError(.notFound, parameters: ["name": String(id)])
            }
        }
    }

    public func setDefaultProfile(tokenID: Int64, family: DeviceFamily?, profileID: Int64?) async throws {
        try await transaction { connection in
            let family = family?.rawValue ?? ""
            guard let profileID else {
                try await connection.run(
                    "DELETE FROM default_profiles WHERE token_id = \(tokenID) AND family = \(family)",
                    logger: logger
                )
                return
            }
            guard
                try await !Self.profiles(connection, "id = $1 AND token_id = $2", [profileID, tokenID], logger).isEmpty
            else {
                throw StoreError(.notFound, parameters: ["name": String(profileID)])
            }
            try await connection.run(
                """
                INSERT INTO default_profiles (token_id, family, profile_id) VALUES (\(tokenID), \(family), \(profileID))
                ON CONFLICT (token_id, family) DO UPDATE SET profile_id = excluded.profile_id
                """,
                logger: logger
            )
        }
    }

    public func defaultProfileIDs(tokenID: Int64) async throws -> [DeviceFamily?: Int64] {
        try await read { connection in
            var defaults: [DeviceFamily?: Int64] = [:]
            for try await (family, id) in try await connection.run(
                "SELECT family, profile_id FROM default_profiles WHERE token_id = \(tokenID)",
                logger: logger
            ).decode((String, Int64).self) {
                defaults[family.isEmpty ? nil : DeviceFamily(rawValue: family)] = id
            }
            return defaults
        }
    }

    public func assignments(tokenID: Int64, serialNumbers: [String]) async throws -> [String: DeviceAssignment] {
        guard !serialNumbers.isEmpty else { return [:] }
        return try await read { connection in
            try await Self.assignments(
                connection,
                "d.token_id = $1 AND d.serial = ANY($2)",
                [tokenID, serialNumbers],
                logger
            ).reduce(into: [:]) { found, record in found[record.serialNumber] = record }
        }
    }

    public func saveAssignments(_ records: [DeviceAssignment]) async throws {
        guard !records.isEmpty else { return }
        try await transaction { connection in
            for (tokenID, batch) in Dictionary(grouping: records, by: \.tokenID).sorted(by: { $0.key < $1.key }) {
                // A token deleted meanwhile takes its records with it.
                guard let token = try await Self.token(connection, "id = $1 FOR UPDATE", [tokenID], logger) else {
                    continue
                }
                let latest = Dictionary(batch.map { ($0.serialNumber, $0) }, uniquingKeysWith: { _, last in last })
                var stored: [(id: Int64, record: DeviceAssignment)] = []
                for try await (id, serial) in try await connection.run(
                    "SELECT id, serial FROM devices WHERE token_id = \(tokenID) AND serial = ANY(\(Array(latest.keys)))",
                    logger: logger
                ).decode((Int64, String).self) {
                    if let record = latest[serial] { stored.append((id, record)) }
                }
                stored.sort { $0.id < $1.id }
                if !stored.isEmpty { try await Self.upsert(stored, connection, logger) }
                let saved = stored.map(\.record)
                let at = saved.map(\.updatedAt).max() ?? Date()
                try await Self.append(
                    [PendingEvent.assignments(token: token, records: saved, at: at)].compactMap { $0 },
                    connection,
                    logger
                )
            }
        }
    }

    public func assignments(tokenID: Int64, status: DeviceAssignment.Status?, after serial: String?, limit: Int)
        async throws -> [DeviceAssignment]
    {
        try await read { connection in
            var values: [any PostgresEncodable & Sendable] = [tokenID, serial ?? "", max(0, limit)]
            var filter = ""
            if let status {
                values.append(status.rawValue)
                filter = " AND a.status = $4"
            }
            return try await Self.assignments(
                connection,
                "a.token_id = $1\(filter) AND d.serial > $2 ORDER BY d.serial LIMIT $3",
                values,
                logger
            )
        }
    }

    public func dueAssignments(tokenID: Int64, at now: Date, limit: Int) async throws -> [DeviceAssignment] {
        try await read { connection in
            try await Self.assignments(
                connection,
                """
                a.token_id = $1 AND a.status = ANY($2) AND COALESCE(a.next_attempt_at, $3) <= $3
                ORDER BY a.next_attempt_at NULLS FIRST, d.serial LIMIT $4
                """,
                [tokenID, DeviceAssignment.retriedStatuses.map(\.rawValue), now, max(0, limit)],
                logger
            )
        }
    }

    public func assignmentCounts(tokenID: Int64) async throws -> [DeviceAssignment.Status: Int] {
        try await read { connection in
            var counts: [DeviceAssignment.Status: Int] = [:]
            for try await (status, count) in try await connection.run(
                "SELECT status, COUNT(*) FROM device_assignments WHERE token_id = \(tokenID) GROUP BY status",
                logger: logger
            ).decode((String, Int).self) {
                if let status = DeviceAssignment.Status(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    public func assignedCounts(tokenID: Int64) async throws -> [String: Int] {
        try await read { connection in
            var counts: [String: Int] = [:]
            for try await (uuid, count) in try await connection.run(
                """
                SELECT profile_uuid, COUNT(*) FROM device_assignments
                WHERE token_id = \(tokenID) AND status = \(DeviceAssignment.Status.assigned.rawValue)
                    AND profile_uuid IS NOT NULL
                GROUP BY profile_uuid
                """,
                logger: logger
            ).decode((String, Int).self) {
                counts[uuid] = count
            }
            return counts
        }
    }

    public func assignments(tokenID: Int64, profileUUID: String, statuses: [DeviceAssignment.Status]) async throws
        -> [DeviceAssignment]
    {
        guard !statuses.isEmpty else { return [] }
        return try await read { connection in
            try await Self.assignments(
                connection,
                "a.token_id = $1 AND a.status = ANY($2) AND a.profile_uuid = $3",
                [tokenID, statuses.map(\.rawValue), profileUUID],
                logger
            )
        }
    }

    // MARK: - Rows

    static func profiles(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [StoredProfile] {
        var profiles: [StoredProfile] = []
        for try await row in try await connection.run(
            query(
                """
                SELECT id, token_id, name, body, profile_uuid, version, defined_at, created_at, updated_at
                FROM profiles WHERE \(condition)
                """,
                values
            ),
            logger: logger
        ).decode((Int64, Int64, String, String, String?, Int, Date?, Date, Date).self) {
            profiles.append(
                StoredProfile(
                    id: row.0,
                    tokenID: row.1,
                    name: row.2,
                    document: ProfileDocument(json: row.3),
                    profileUUID: row.4,
                    version: row.5,
                    definedAt: row.6,
                    createdAt: row.7,
                    updatedAt: row.8
                )
            )
        }
        return profiles
    }

    static func assignments(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [DeviceAssignment] {
        var records: [DeviceAssignment] = []
        for try await row in try await connection.run(
            query(
                """
                SELECT a.token_id, d.serial, a.status, a.profile_uuid, a.failures, a.next_attempt_at, a.last_result,
                    a.updated_at
                FROM device_assignments a JOIN devices d ON d.id = a.device_id WHERE \(condition)
                """,
                values
            ),
            logger: logger
        ).decode((Int64, String, String, String?, Int, Date?, String?, Date).self) {
            records.append(
                DeviceAssignment(
                    tokenID: row.0,
                    serialNumber: row.1,
                    status: DeviceAssignment.Status(rawValue: row.2) ?? .failed,
                    profileUUID: row.3,
                    failures: row.4,
                    nextAttemptAt: row.5,
                    lastResult: row.6,
                    updatedAt: row.7
                )
            )
        }
        return records
    }

    /// Writes records to their devices' rows in one statement of one array a column.
    static func upsert(
        _ records: [(id: Int64, record: DeviceAssignment)],
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        func column<Value>(_ value: ((id: Int64, record: DeviceAssignment)) -> Value?) -> PostgresColumn<Value> {
            PostgresColumn(records.map(value))
        }
        try await connection.run(
            """
            INSERT INTO device_assignments (device_id, token_id, status, profile_uuid, failures, next_attempt_at,
                last_result, updated_at)
            SELECT * FROM unnest(\(column { $0.id }), \(column { $0.record.tokenID }),
                \(column { $0.record.status.rawValue }), \(column { $0.record.profileUUID }),
                \(column { $0.record.failures }), \(column { $0.record.nextAttemptAt }),
                \(column { $0.record.lastResult }), \(column { $0.record.updatedAt }))
            ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, profile_uuid = excluded.profile_uuid,
                failures = excluded.failures, next_attempt_at = excluded.next_attempt_at,
                last_result = excluded.last_result, updated_at = excluded.updated_at
            """,
            logger: logger
        )
    }
}

extension PostgresStore: TokenListStore {
    public func tokenList(after name: String?, limit: Int) async throws -> [TokenListEntry] {
        try await read { connection in
            var entries: [TokenListEntry] = []
            for try await row in try await connection.run(
                """
                SELECT \(unescaped: Self.tokenColumns(of: "t")), \(unescaped: Self.newestRunColumns),
                    \(unescaped: Self.factsColumns)
                FROM (SELECT * FROM tokens WHERE lower(name) > lower(\(name ?? "")) ORDER BY lower(name), id
                    LIMIT \(max(0, limit))) t
                \(unescaped: Self.newestRunsJoins)
                \(unescaped: Self.factsJoin)
                ORDER BY lower(t.name), t.id
                """,
                logger: logger
            ) {
                let columns = row.makeRandomAccess()
                let facts = try Self.facts(from: columns, at: 16 + 3 * Self.runColumnCount)
                entries.append(
                    TokenListEntry(
                        token: try Self.token(from: columns),
                        runs: try Self.newestRuns(from: columns, at: 16),
                        presentDevices: facts.presentDevices,
                        facts: facts
                    )
                )
            }
            return entries
        }
    }
}
