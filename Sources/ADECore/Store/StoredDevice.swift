public import Foundation

/// A device of a token as the store keeps it: Apple's latest record, and when it left the token.
public struct StoredDevice: Sendable, Hashable {
    public var tokenID: Int64
    /// Apple's record (the latest by `op_date`).
    public var device: DeviceRecord
    /// When Apple said the device left this MDM server (sync `deleted`, or absent from a full fetch).
    public var removedAt: Date?
    /// The full fetch that last saw the device.
    public var fetchGeneration: Int
    /// When the store last changed the row.
    public var updatedAt: Date

    public init(tokenID: Int64, device: DeviceRecord, removedAt: Date? = nil, fetchGeneration: Int, updatedAt: Date) {
        self.tokenID = tokenID
        self.device = device
        self.removedAt = removedAt
        self.fetchGeneration = fetchGeneration
        self.updatedAt = updatedAt
    }

    public var serialNumber: String { device.serialNumber }
}

/// Where a token's sync stands: the phase, Apple's opaque cursor, and the full fetch in progress or last done.
public struct SyncCursorState: Sendable, Hashable, Codable {
    /// `fetch` pages through every device (`/server/devices`); `sync` reads changes (`/devices/sync`).
    public enum Phase: String, Sendable, Hashable, Codable {
        case fetch, sync
    }

    public var phase: Phase
    /// Apple's cursor; nil at the start of a full fetch.
    public var cursor: String?
    /// The number of the current (or last) full fetch; devices it does not see are removed when it completes.
    public var fetchGeneration: Int
    public var fetchStartedAt: Date?
    public var lastFullFetchAt: Date?
    /// When Apple refused the cursor and this full fetch started in its place; nil for any other fetch, and once the
    /// fetch completes (the token is in `cursor_recovery` meanwhile).
    public var recoverySince: Date?

    public init(
        phase: Phase,
        cursor: String?,
        fetchGeneration: Int,
        fetchStartedAt: Date? = nil,
        lastFullFetchAt: Date? = nil,
        recoverySince: Date? = nil
    ) {
        self.phase = phase
        self.cursor = cursor
        self.fetchGeneration = fetchGeneration
        self.fetchStartedAt = fetchStartedAt
        self.lastFullFetchAt = lastFullFetchAt
        self.recoverySince = recoverySince
    }
}

/// What applying one page changed.
public struct PageChanges: Sendable, Hashable {
    public var added: Int
    public var modified: Int
    public var removed: Int
    /// Records ignored because the store already held a later `op_date`.
    public var stale: Int

    public init(added: Int = 0, modified: Int = 0, removed: Int = 0, stale: Int = 0) {
        self.added = added
        self.modified = modified
        self.removed = removed
        self.stale = stale
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        PageChanges(
            added: lhs.added + rhs.added,
            modified: lhs.modified + rhs.modified,
            removed: lhs.removed + rhs.removed,
            stale: lhs.stale + rhs.stale
        )
    }
}
