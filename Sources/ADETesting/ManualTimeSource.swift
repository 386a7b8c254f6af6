public import ADESupport
public import Foundation
import Synchronization

/// A clock that tests move by hand: `sleep` returns at once and advances the time by what was asked, and every
/// sleep is recorded, so backoff and `Retry-After` are asserted without waiting.
public final class ManualTimeSource: TimeSource {
    private struct State {
        var now: Date
        var sleeps: [Duration] = []
    }

    private let state: Mutex<State>

    /// A clock at `now` (the system's time by default).
    public init(now: Date = Date()) {
        state = Mutex(State(now: now))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(duration)
            state.now = state.now.addingTimeInterval(duration.timeInterval)
        }
    }

    /// Every sleep asked for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Moves the time.
    public func advance(by seconds: TimeInterval) {
        state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }

    /// Sets the time.
    public func set(_ date: Date) {
        state.withLock { $0.now = date }
    }
}
