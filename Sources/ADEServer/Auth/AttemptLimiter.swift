public import Foundation
import Synchronization

/// Counts failures per key in a sliding window and refuses once a key has too many: sign-ins per user name and
/// address, `.p7m` uploads per principal. Kept in memory: each server instance counts its own.
public final class AttemptLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex([String: [Date]]())

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `key` may try again, or nil when it may now.
    public func retryAfter(_ key: String, now: Date) -> Int? {
        failures.withLock { failures in
            let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[key] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// Records an attempt that counts against `key`.
    public func record(_ key: String, now: Date) {
        failures.withLock { failures in
            var recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            failures[key] = recent
            if failures.count > 100_000 { failures = failures.filter { !$0.value.isEmpty } }
        }
    }

    /// Forgets `key`'s failures (a successful sign-in).
    public func reset(_ key: String) {
        failures.withLock { _ = $0.removeValue(forKey: key) }
    }
}
