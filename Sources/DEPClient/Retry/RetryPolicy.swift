import ADESupport
import Foundation

/// When to try a transient failure again: exponential backoff with jitter, `Retry-After` honoured, a bounded number
/// of attempts and a total deadline. Terminal errors are never retried.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int
    /// The wait after the first failure, before jitter.
    public var initialBackoff: Duration
    /// The longest computed wait.
    public var maximumBackoff: Duration
    /// The factor between successive waits.
    public var multiplier: Double
    /// The share of each wait that is random: a wait `d` becomes uniform in `[d × (1 − jitter), d]`.
    public var jitter: Double
    /// No retry starts after this much time since the first attempt; a `Retry-After` that ends later is not waited
    /// for (the error, with its `retryAfter`, goes to the caller, who schedules the next cycle).
    public var totalDeadline: Duration

    /// Creates a policy.
    public init(
        maximumAttempts: Int = 5,
        initialBackoff: Duration = .seconds(1),
        maximumBackoff: Duration = .seconds(60),
        multiplier: Double = 2,
        jitter: Double = 0.5,
        totalDeadline: Duration = .seconds(300)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(0, jitter), 1)
        self.totalDeadline = totalDeadline
    }

    /// The default: 5 attempts, 1 s doubling to at most 60 s, half jitter, 5 minutes in all.
    public static let `default` = RetryPolicy()

    /// Never retry.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The wait before attempt `attempt + 1`, or `nil` when no further attempt may be made.
    /// - Parameters:
    ///   - attempt: The attempt that just failed, from 1.
    ///   - retryAfter: What the answer's `Retry-After` asked for, if anything; waited for in full.
    ///   - elapsed: Time since the first attempt started.
    ///   - random: A value in `0...1` for the jitter.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, elapsed: Duration, random: Double) -> Duration?
    {
        guard attempt < maximumAttempts else { return nil }
        let delay: Duration
        if let retryAfter {
            delay = retryAfter
        } else {
            let exponential = (1..<attempt).reduce(initialBackoff.timeInterval) { value, _ in value * multiplier }
            let capped = min(exponential, maximumBackoff.timeInterval)
            delay = .interval(capped * (1 - jitter * min(max(random, 0), 1)))
        }
        guard elapsed + delay <= totalDeadline else { return nil }
        return delay
    }
}
