public import ADESupport
public import DEPClient
public import Foundation
import Synchronization

/// The simulator's clock: the system's time plus an offset that the control API advances, so that tokens, cursors
/// and sessions expire without waiting. OAuth timestamps and `Date` headers stay on the system's time, as a
/// network peer's would.
public final class SimulatorClock: TimeSource {
    private let offset = Mutex<TimeInterval>(0)

    /// A clock at the system's time.
    public init() {}

    /// A clock `offset` seconds from the system's time; a negative offset starts it in the past (`ade demo` issues
    /// tokens a year ago so that they expire now), and ``advance(by:)`` brings it forward.
    public init(offset: TimeInterval) {
        self.offset.withLock { $0 = offset }
    }

    /// The simulated time.
    public func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    /// How far the clock has been advanced.
    public var advancedBy: TimeInterval { offset.withLock { $0 } }

    /// Moves the simulated time forward.
    public func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += max(0, seconds) }
    }

    /// Sleeps in real time (injected latency is real).
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
