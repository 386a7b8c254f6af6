import ADESupport
public import Foundation

/// How one of Apple's records changes the stored device: the rule every store applies, written once.
public enum DeviceMerge {
    /// What a record did.
    public enum Change: Sendable, Hashable {
        /// A device new to the token, or back after being removed.
        case added
        case modified
        /// `deleted`: the device left the token (it is kept, removed, with the date).
        case removed
        /// Older than the stored record by `op_date`: ignored.
        case stale
        /// Nothing changed.
        case unchanged
    }

    /// Merges a record into the stored device.
    /// - Parameters:
    ///   - record: Apple's record (fetch records have no `op_type` and no `op_date`).
    ///   - existing: The stored device, if any.
    ///   - tokenID: The token.
    ///   - generation: The current full fetch's number; a present device is marked seen by it.
    ///   - now: The time of the merge.
    /// - Returns: The device to store (unchanged for `stale` and `unchanged`) and what changed.
    public static func merge(
        _ record: DeviceRecord,
        into existing: StoredDevice?,
        tokenID: Int64,
        generation: Int,
        now: Date
    ) -> (device: StoredDevice, change: Change) {
        if let existing, let incoming = record.opDate, let stored = existing.device.opDate, incoming < stored {
            return (existing, .stale)
        }
        if record.opType == .deleted {
            var device = record.model == nil ? (existing?.device ?? record) : record
            device.opType = .deleted
            device.opDate = record.opDate ?? device.opDate
            let wasPresent = existing.map { $0.removedAt == nil } ?? true
            let stored = StoredDevice(
                tokenID: tokenID,
                device: device,
                removedAt: (wasPresent ? nil : existing?.removedAt) ?? record.opDate ?? now,
                fetchGeneration: existing?.fetchGeneration ?? generation,
                updatedAt: now
            )
            return (stored, wasPresent ? .removed : .unchanged)
        }
        var device = record
        device.opDate = record.opDate ?? existing?.device.opDate
        device.opType = record.opType ?? existing?.device.opType
        let change: Change
        if let existing, existing.removedAt == nil {
            change = existing.device == device ? .unchanged : .modified
        } else {
            change = .added
        }
        if change == .unchanged, let existing, existing.fetchGeneration == generation {
            return (existing, .unchanged)
        }
        return (StoredDevice(tokenID: tokenID, device: device, fetchGeneration: generation, updatedAt: now), change)
    }

    /// Adds a change to page counts.
    public static func count(_ change: Change, into changes: inout PageChanges) {
        switch change {
        case .added: changes.added += 1
        case .modified: changes.modified += 1
        case .removed: changes.removed += 1
        case .stale: changes.stale += 1
        case .unchanged: break
        }
    }
}
