public import Foundation

/// Where one device of a token stands with automatic profile assignment: the outcome of its latest attempt and when
/// the next may be made. The store keeps one per device that was ever attempted or excluded, so pending work and
/// cooldowns survive restarts.
public struct DeviceAssignment: Sendable, Hashable {
    /// The outcome as the console, the API and `ade devices list --assignment` name it.
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        /// Waiting for an attempt: the last call did not reach Apple, or an admin asked for a retry.
        case pending
        /// Apple answered `SUCCESS`.
        case assigned
        /// Apple answered `FAILED`: tried again after the cooldown, up to the policy's limit.
        case failed
        /// Apple answered `THROTTLED`: tried again after its `retry_after_seconds`.
        case throttled
        /// Apple answered `NOT_ACCESSIBLE` (or `NOT_FOUND`): the device is not assigned to this MDM server in ABM.
        /// Not retried: the fix is in ABM, and once Apple shows the device assigned here (or changed) after the
        /// answer, it is a candidate again.
        case notAccessible = "not_accessible"
        /// Apple answered `FAILED` as many times as the policy allows: no more automatic attempts until an admin
        /// retries it.
        case needsAttention = "needs_attention"
        /// An admin removed the device's profile: the assigner leaves it alone until an admin assigns it again.
        case excluded
    }

    public var tokenID: Int64
    public var serialNumber: String
    public var status: Status
    /// The profile of the latest attempt (or of the admin's removal).
    public var profileUUID: String?
    /// Consecutive `FAILED` answers.
    public var failures: Int
    /// Not before this time (`failed` and `throttled`); nil when no automatic attempt is due.
    public var nextAttemptAt: Date?
    /// Apple's answer for the device, as sent (`SUCCESS`, `FAILED` …); nil for an admin's removal.
    public var lastResult: String?
    /// When the record last changed.
    public var updatedAt: Date

    public init(
        tokenID: Int64,
        serialNumber: String,
        status: Status,
        profileUUID: String? = nil,
        failures: Int = 0,
        nextAttemptAt: Date? = nil,
        lastResult: String? = nil,
        updatedAt: Date
    ) {
        self.tokenID = tokenID
        self.serialNumber = serialNumber
        self.status = status
        self.profileUUID = profileUUID
        self.failures = failures
        self.nextAttemptAt = nextAttemptAt
        self.lastResult = lastResult
        self.updatedAt = updatedAt
    }

    /// The statuses whose devices the assigner tries again once `nextAttemptAt` has come.
    public static let retriedStatuses: [Status] = [.pending, .failed, .throttled]

    /// Whether the assigner may try this device at `now` (given that the device itself has no profile).
    public func allowsAutomaticAttempt(at now: Date) -> Bool {
        switch status {
        case .excluded, .needsAttention, .notAccessible:
            return false
        case .pending, .failed, .throttled:
            return nextAttemptAt.map { $0 <= now } ?? true
        case .assigned:
            // Apple assigned it, yet the device shows no profile again (removed in ABM or by another MDM): try again.
            return true
        }
    }
}

/// As the CLI's `--format json` and `/api/v1` write it (the token is the list's).
extension DeviceAssignment: Encodable {
    enum CodingKeys: String, CodingKey {
        case status, failures
        case serialNumber = "serial_number"
        case profileUUID = "profile_uuid"
        case lastResult = "last_result"
        case nextAttemptAt = "next_attempt_at"
        case updatedAt = "updated_at"
    }
}
