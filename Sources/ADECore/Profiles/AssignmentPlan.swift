import ADESupport
public import Foundation

/// Which devices get which default profile now, in Apple's batches.
public struct AssignmentPlan: Sendable, Hashable {
    /// One Assign a Profile call: a profile and at most the policy's batch size of serials.
    public struct Batch: Sendable, Hashable {
        public var profileUUID: String
        public var serialNumbers: [String]

        public init(profileUUID: String, serialNumbers: [String]) {
            self.profileUUID = profileUUID
            self.serialNumbers = serialNumbers
        }
    }

    public var batches: [Batch]

    public init(batches: [Batch]) {
        self.batches = batches
    }

    /// The serials of every batch.
    public var serialNumbers: [String] { batches.flatMap(\.serialNumbers) }

    /// Whether a device needs its default profile: it is present on the token and Apple shows no profile on it
    /// (`profile_status` `empty` or `removed`, or none at all — full-fetch records carry no `op_type`, and a device
    /// moved here from another server arrives `modified` with `removed`).
    public static func needsProfile(_ device: StoredDevice) -> Bool {
        device.removedAt == nil && showsNoProfile(device.device)
    }

    /// Whether Apple's record shows no profile: `profile_status` `empty`, `removed` or absent.
    static func showsNoProfile(_ device: DeviceRecord) -> Bool {
        switch device.profileStatus {
        case nil, .some(.empty), .some(.removed): return true
        default: return false
        }
    }

    /// Whether a record lets the device be tried now. `NOT_ACCESSIBLE` holds only until Apple shows the device
    /// assigned to this server, or changed, after that answer (an admin fixed it in ABM).
    static func allows(_ record: DeviceAssignment, _ device: DeviceRecord, at now: Date) -> Bool {
        if record.status == .notAccessible {
            let changed = [device.deviceAssignedDate, device.opDate].compactMap { $0 }.max() ?? .distantPast
            return changed > record.updatedAt
        }
        return record.allowsAutomaticAttempt(at: now)
    }

    /// The plan for `devices`: each one that needs a profile, whose record allows an automatic attempt at `now`, and
    /// that has a profile to get — its `chosen` one (an admin's choice being retried), else its family's default —
    /// grouped by profile in the order given and cut into batches.
    public static func make(
        devices: [StoredDevice],
        records: [String: DeviceAssignment],
        defaults: DefaultProfiles,
        chosen: [String: String] = [:],
        at now: Date,
        policy: AssignmentPolicy
    ) -> AssignmentPlan {
        var order: [String] = []
        var serialsByProfile: [String: [String]] = [:]
        var seen: Set<String> = []
        for stored in devices where needsProfile(stored) {
            let serial = stored.serialNumber
            guard seen.insert(serial).inserted,
                records[serial].map({ allows($0, stored.device, at: now) }) ?? true,
                let profile = chosen[serial] ?? defaults.profileUUID(for: stored.device.deviceFamily)
            else { continue }
            if serialsByProfile[profile] == nil { order.append(profile) }
            serialsByProfile[profile, default: []].append(serial)
        }
        return AssignmentPlan(
            batches: order.flatMap { profile in
                let serials = serialsByProfile[profile] ?? []
                return stride(from: 0, to: serials.count, by: policy.batchSize).map { start in
                    Batch(
                        profileUUID: profile,
                        serialNumbers: Array(serials[start..<min(start + policy.batchSize, serials.count)])
                    )
                }
            }
        )
    }
}
