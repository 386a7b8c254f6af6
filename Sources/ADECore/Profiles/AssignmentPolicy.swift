public import Foundation

/// How the assigner paces itself: Apple's batch limit, the cooldown after `FAILED` and how many failures it accepts.
public struct AssignmentPolicy: Sendable, Hashable {
    /// Serials per Assign a Profile call (Apple's limit is 1000).
    public var batchSize: Int
    /// Wait after a `FAILED` answer before trying the device again (Apple advises a day).
    public var failureCooldown: TimeInterval
    /// `FAILED` answers after which a device needs an admin's attention.
    public var failureLimit: Int
    /// Wait after `THROTTLED` when Apple gives no `retry_after_seconds` (protocol versions before 10).
    public var throttleWait: TimeInterval

    public init(
        batchSize: Int = 1000,
        failureCooldown: TimeInterval = 86_400,
        failureLimit: Int = 3,
        throttleWait: TimeInterval = 60
    ) {
        self.batchSize = min(max(1, batchSize), 1000)
        self.failureCooldown = max(0, failureCooldown)
        self.failureLimit = max(1, failureLimit)
        self.throttleWait = max(1, throttleWait)
    }
}
