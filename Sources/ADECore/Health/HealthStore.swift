import ADESupport
public import Foundation

/// What the token states are computed from beyond runs, and where their changes are recorded.
public protocol HealthStore: Sendable {
    /// The facts of these tokens (nil: every token), by token, in one read.
    func tokenFacts(tokenIDs: [Int64]?) async throws -> [Int64: TokenFacts]
    /// Records a change of state that no run made (the health monitor's: a date passed, a threshold crossed): the
    /// token's state, its history and a `token.state_changed` event, in one transaction, only while the token's
    /// recorded state is still the transition's `from`.
    /// - Returns: Whether it was recorded (false: another writer changed the state first, or the token is gone).
    func recordTransition(_ transition: TokenTransition, tokenID: Int64) async throws -> Bool
    /// Records that a token reached a step of the expiry ladder, with its `token.expiry_reminder` event, once per
    /// token, expiry date and step (a renewed token has a new expiry date, and its own reminders).
    /// - Returns: false when this reminder was already recorded (nothing is written then).
    func recordExpiryReminder(_ reminder: ExpiryReminder, tokenID: Int64) async throws -> Bool
}

/// A step of the expiry ladder reached by a token.
public struct ExpiryReminder: Sendable, Hashable, Encodable {
    /// The step: 30, 14, 7 or 1 days.
    public var step: Int
    /// Whole days left when it was recorded.
    public var daysLeft: Int
    public var expiresAt: Date
    public var at: Date

    public init(step: Int, daysLeft: Int, expiresAt: Date, at: Date) {
        self.step = step
        self.daysLeft = daysLeft
        self.expiresAt = expiresAt
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case step = "step_days"
        case daysLeft = "days_left"
        case expiresAt = "expires_at"
        case at
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(daysLeft, forKey: .daysLeft)
        try container.encode(Timestamp.format(expiresAt), forKey: .expiresAt)
        try container.encode(Timestamp.format(at), forKey: .at)
    }
}
