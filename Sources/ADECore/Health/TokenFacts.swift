public import Foundation

/// What the store knows of a token beyond its runs, for its state: failed runs in a row, a cursor being recovered,
/// devices whose assignment failed, and whether a default profile is set. Read for many tokens in one store call
/// (``ADEStore/tokenFacts(tokenIDs:)``).
public struct TokenFacts: Sendable, Hashable {
    /// Failed runs since the latest success (or since the first run).
    public var failureStreak: Int
    /// When a refused cursor started the full fetch that is still running, if one is.
    public var recoverySince: Date?
    /// Devices whose assignment Apple refused: `failed`, `not_accessible` and `needs_attention` records.
    public var failingAssignments: Int
    /// Devices present (not removed).
    public var presentDevices: Int
    /// Whether the token has a default profile for at least one device family.
    public var hasDefaultProfile: Bool

    public init(
        failureStreak: Int = 0,
        recoverySince: Date? = nil,
        failingAssignments: Int = 0,
        presentDevices: Int = 0,
        hasDefaultProfile: Bool = false
    ) {
        self.failureStreak = failureStreak
        self.recoverySince = recoverySince
        self.failingAssignments = failingAssignments
        self.presentDevices = presentDevices
        self.hasDefaultProfile = hasDefaultProfile
    }
}

/// The thresholds of the states that depend on one: how many failed runs in a row, how long without a success, what
/// share of failed assignments.
public struct HealthPolicy: Sendable, Hashable {
    /// Runs failing in a row because of the network or Apple's 5xx before the token shows it (one failure is retried
    /// by the scheduler and is not worth an alert).
    public var failuresBeforeAlert: Int
    /// A token with no successful sync for longer than this is `sync_stalled`.
    public var syncStalledAfter: TimeInterval
    /// The share of a token's devices whose assignment failed from which it is `assignments_failing`.
    public var assignmentFailureShare: Double

    public init(
        failuresBeforeAlert: Int = 3,
        syncStalledAfter: TimeInterval = 24 * 3600,
        assignmentFailureShare: Double = 0.05
    ) {
        self.failuresBeforeAlert = max(1, failuresBeforeAlert)
        self.syncStalledAfter = syncStalledAfter
        self.assignmentFailureShare = assignmentFailureShare
    }
}
