public import ADESupport
public import DEPClient
import Foundation
public import Logging

/// Gets every device of a token its default enrollment profile, through every answer Apple gives.
///
/// After each page of a fetch or a sync (``assignDefaults(afterPage:token:server:)``), and for the retries whose time
/// has come (``retryDue(token:server:)``), it plans Apple's calls (``AssignmentPlan``), sends them in batches of at
/// most 1000 serials, and records each device's answer (``DeviceAssignment``). It runs inside a sync run, under the
/// token's lease.
public struct ProfileAssigner: Sendable {
    /// What one pass did.
    public struct Report: Sendable, Hashable {
        /// Assign a Profile calls made.
        public var calls = 0
        /// Devices by the status their answer gave them.
        public var outcomes: [DeviceAssignment.Status: Int] = [:]
        /// The code of the last call that failed as a whole (its devices wait as `pending`), if any.
        public var lastErrorCode: String?

        public init() {}

        /// Devices sent to Apple.
        public var devices: Int { outcomes.values.reduce(0, +) }

        mutating func add(_ other: Report) {
            calls += other.calls
            outcomes.merge(other.outcomes, uniquingKeysWith: +)
            lastErrorCode = other.lastErrorCode ?? lastErrorCode
        }
    }

    /// Profiles, assignment records and the devices they are for: all the assigner touches.
    let store: any ProfileStore & DeviceSyncStore
    let client: DEPClient
    let timeSource: any TimeSource
    let policy: AssignmentPolicy
    let logger: Logger

    public init(
        store: any ProfileStore & DeviceSyncStore,
        client: DEPClient,
        timeSource: any TimeSource,
        policy: AssignmentPolicy = AssignmentPolicy(),
        logger: Logger
    ) {
        self.store = store
        self.client = client
        self.timeSource = timeSource
        self.policy = policy
        self.logger = logger
    }

    /// Assigns the family's default profile to each device of a page just written that is present and shows no
    /// profile, unless its record holds it back (cooling down, throttled, not accessible, excluded by an admin).
    /// - Parameter defaults: The token's default profiles when the caller read them already (a sync reads them once
    ///   per run); nil reads them.
    public func assignDefaults(
        afterPage devices: [DeviceRecord],
        token: EnrollmentToken,
        server: DEPServer,
        defaults known: DefaultProfiles? = nil
    ) async throws -> Report {
        let defaults: DefaultProfiles
        if let known {
            defaults = known
        } else {
            defaults = try await store.defaultProfiles(tokenID: token.id)
        }
        guard !defaults.isEmpty else { return Report() }
        let now = timeSource.now()
        let candidates = Self.needingProfile(devices, tokenID: token.id, now: now)
        guard !candidates.isEmpty else { return Report() }
        let (plan, records) = try await defaultPlan(for: candidates, tokenID: token.id, defaults: defaults, at: now)
        return try await execute(plan, records: records, token: token, server: server)
    }

    /// Tries again the devices whose `pending`, `failed` or `throttled` record is due, if they still show no profile:
    /// with the record's profile when it is one an admin chose (a current definition that is no default), else with
    /// the family's default. At most `limit` records per pass.
    public func retryDue(token: EnrollmentToken, server: DEPServer, limit: Int = 5000) async throws -> Report {
        let now = timeSource.now()
        let due = try await store.dueAssignments(tokenID: token.id, at: now, limit: limit)
        guard !due.isEmpty else { return Report() }
        let defaults = try await store.defaultProfiles(tokenID: token.id)
        let chosenProfiles = Set(try await store.profiles(tokenID: token.id).compactMap(\.profileUUID))
            .subtracting(defaults.profileUUIDs)
        var chosen: [String: String] = [:]
        for record in due {
            if let uuid = record.profileUUID, chosenProfiles.contains(uuid) { chosen[record.serialNumber] = uuid }
        }
        var devices: [StoredDevice] = []
        for record in due {
            if let stored = try await store.device(tokenID: token.id, serial: record.serialNumber) {
                devices.append(stored)
            }
        }
        let records = Dictionary(due.map { ($0.serialNumber, $0) }, uniquingKeysWith: { _, last in last })
        let plan = AssignmentPlan.make(
            devices: devices,
            records: records,
            defaults: defaults,
            chosen: chosen,
            at: now,
            policy: policy
        )
        return try await execute(plan, records: records, token: token, server: server)
    }

    /// Queues the token's present devices that show no profile and that its defaults now cover: each gets a `pending`
    /// record due now, so that the next run's retry pass (``retryDue(token:server:limit:)``) assigns them. A new or
    /// changed default would otherwise reach only the devices of later pages. Devices whose record holds them back
    /// (excluded by an admin, needing attention, not accessible, cooling down) are left as they are.
    /// - Returns: How many devices were queued.
    @discardableResult
    public func queueCoveredDevices(token: EnrollmentToken, pageSize: Int = 1000) async throws -> Int {
        let defaults = try await store.defaultProfiles(tokenID: token.id)
        guard !defaults.isEmpty else { return 0 }
        let now = timeSource.now()
        var queued = 0
        try await store.forEachPage(tokenID: token.id, matching: DeviceQuery(presence: .present), pageSize: pageSize) {
            page in
            let candidates = page.filter(AssignmentPlan.needsProfile)
            guard !candidates.isEmpty else { return true }
            let (plan, records) = try await defaultPlan(for: candidates, tokenID: token.id, defaults: defaults, at: now)
            let pending = plan.batches.flatMap { batch in
                batch.serialNumbers.compactMap { serial -> DeviceAssignment? in
                    // Already waiting for this profile: the retry pass has it.
                    if let record = records[serial], record.status == .pending, record.profileUUID == batch.profileUUID
                    {
                        return nil
                    }
                    return DeviceAssignment.pending(
                        serial,
                        tokenID: token.id,
                        profileUUID: batch.profileUUID,
                        previous: records[serial],
                        due: now,
                        at: now
                    )
                }
            }
            if !pending.isEmpty { try await store.saveAssignments(pending) }
            queued += pending.count
            return true
        }
        if queued > 0 {
            logger.info(
                "Queued devices for the default profile",
                metadata: ["token": "\(token.name)", "devices": "\(queued)"]
            )
        }
        return queued
    }

    /// Assigns a profile to chosen devices on an admin's demand, whatever their records say: an excluded device is
    /// automatic again, and a device that needed attention starts with no failures.
    public func assign(profileUUID: String, to serialNumbers: [String], token: EnrollmentToken, server: DEPServer)
        async throws -> Report
    {
        var seen: Set<String> = []
        let serials = serialNumbers.filter { seen.insert($0).inserted }
        let plan = AssignmentPlan(
            batches: stride(from: 0, to: serials.count, by: policy.batchSize).map { start in
                AssignmentPlan.Batch(
                    profileUUID: profileUUID,
                    serialNumbers: Array(serials[start..<min(start + policy.batchSize, serials.count)])
                )
            }
        )
        return try await execute(plan, records: [:], token: token, server: server)
    }

    /// Removes the profile of chosen devices at Apple, and keeps the assigner away from each device Apple removed it
    /// from (`excluded`) until an admin assigns it again, so that automatic assignment never undoes the admin.
    /// - Returns: Apple's answer per device.
    /// - Throws: ``DEPError`` when a call fails; devices of earlier batches stay removed and excluded.
    public func removeProfile(from serialNumbers: [String], token: EnrollmentToken, server: DEPServer) async throws
        -> [String: DeviceResult]
    {
        var results: [String: DeviceResult] = [:]
        for start in stride(from: 0, to: serialNumbers.count, by: policy.batchSize) {
            let batch = Array(serialNumbers[start..<min(start + policy.batchSize, serialNumbers.count)])
            let response = try await client.removeProfile(server, serials: batch)
            let now = timeSource.now()
            let excluded = batch.filter { response.devices[$0] == .success }.map { serial in
                DeviceAssignment(
                    tokenID: token.id,
                    serialNumber: serial,
                    status: .excluded,
                    lastResult: DeviceResult.success.rawValue,
                    updatedAt: now
                )
            }
            try await store.saveAssignments(excluded)
            results.merge(response.devices) { _, new in new }
        }
        logger.notice(
            "Removed profiles",
            metadata: [
                "token": "\(token.name)", "devices": "\(serialNumbers.count)",
                "removed": "\(results.values.filter { $0 == .success }.count)",
            ]
        )
        return results
    }

    /// The plan that gives devices with no profile the token's defaults, and the assignment records it was made from.
    func defaultPlan(
        for candidates: [StoredDevice],
        tokenID: Int64,
        defaults: DefaultProfiles,
        at now: Date
    ) async throws -> (AssignmentPlan, records: [String: DeviceAssignment]) {
        let records = try await store.assignments(tokenID: tokenID, serialNumbers: candidates.map(\.serialNumber))
        let plan = AssignmentPlan.make(
            devices: candidates,
            records: records,
            defaults: defaults,
            at: now,
            policy: policy
        )
        return (plan, records)
    }

    /// Sends each batch and records each device's answer. A call that fails as a whole (Apple unreachable, a 5xx,
    /// the profile gone) leaves its devices `pending` for the next pass; it never fails the sync around it.
    func execute(
        _ plan: AssignmentPlan,
        records: [String: DeviceAssignment],
        token: EnrollmentToken,
        server: DEPServer
    ) async throws -> Report {
        var report = Report()
        for batch in plan.batches {
            try Task.checkCancellation()
            report.calls += 1
            let updated: [DeviceAssignment]
            do {
                let response = try await client.assignProfile(
                    server,
                    uuid: batch.profileUUID,
                    serials: batch.serialNumbers
                )
                let now = timeSource.now()
                updated = batch.serialNumbers.map { serial in
                    DeviceAssignment.recording(
                        response.devices[serial] ?? .failed,
                        for: serial,
                        tokenID: token.id,
                        profileUUID: batch.profileUUID,
                        previous: records[serial],
                        retryAfterSeconds: response.retryAfterSeconds,
                        at: now,
                        policy: policy
                    )
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let code = (error as? any CataloguedError)?.catalogueCode ?? "internal"
                logger.warning(
                    "Profile assignment call failed; its devices wait for the next pass",
                    metadata: [
                        "token": "\(token.name)", "devices": "\(batch.serialNumbers.count)", "error.code": "\(code)",
                    ]
                )
                report.lastErrorCode = code
                let now = timeSource.now()
                updated = batch.serialNumbers.map { serial in
                    DeviceAssignment.pending(
                        serial,
                        tokenID: token.id,
                        profileUUID: batch.profileUUID,
                        previous: records[serial],
                        due: now.addingTimeInterval(policy.throttleWait),
                        at: now
                    )
                }
            }
            try await store.saveAssignments(updated)
            for record in updated { report.outcomes[record.status, default: 0] += 1 }
        }
        if report.calls > 0 {
            logger.info(
                "Assigned default profiles",
                metadata: [
                    "token": "\(token.name)", "calls": "\(report.calls)",
                    "assigned": "\(report.outcomes[.assigned] ?? 0)", "devices": "\(report.devices)",
                ]
            )
        }
        return report
    }

    /// The devices of a page that need a profile after it: each serial's device merged as the store merges it
    /// (``DeviceMerge``: the latest `op_date` wins, `deleted` removes), in the page's order.
    static func needingProfile(_ devices: [DeviceRecord], tokenID: Int64, now: Date) -> [StoredDevice] {
        var seen = Set<String>(minimumCapacity: devices.count)
        guard devices.allSatisfy({ seen.insert($0.serialNumber).inserted }) else {
            return latest(devices, tokenID: tokenID, now: now).filter(AssignmentPlan.needsProfile)
        }
        // Each serial once (nearly every page): its record is its device. Only those that need a profile are built;
        // the rest (Apple's echo of assignments, for one) cost a look at two fields.
        return devices.compactMap { record in
            guard record.opType != .deleted, AssignmentPlan.showsNoProfile(record) else { return nil }
            return StoredDevice(tokenID: tokenID, device: record, fetchGeneration: 0, updatedAt: now)
        }
    }

    /// Each serial's device after the page, merged as the store merges it, in the page's order.
    static func latest(_ devices: [DeviceRecord], tokenID: Int64, now: Date) -> [StoredDevice] {
        var order: [String] = []
        var merged: [String: StoredDevice] = [:]
        for device in devices {
            let before = merged[device.serialNumber]
            if before == nil { order.append(device.serialNumber) }
            merged[device.serialNumber] =
                DeviceMerge.merge(device, into: before, tokenID: tokenID, generation: 0, now: now).device
        }
        return order.compactMap { merged[$0] }
    }
}
