public import Foundation

/// Where the client reads the time and how it waits.
///
/// Everything in `ade` that reads time or sleeps takes one of these from its caller, so tests of expiry, backoff
/// and `Retry-After` advance a manual clock instead of sleeping.
public protocol TimeSource: Sendable {
    /// The current wall-clock time (OAuth timestamps, clock-skew checks, `Retry-After` dates).
    func now() -> Date
    /// Waits for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The system's clock.
public struct SystemTimeSource: TimeSource {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A duration from a `TimeInterval` in seconds.
    public static func interval(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
