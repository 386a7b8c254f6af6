public import ADECore
public import Foundation
import Synchronization

/// Counts failures per key in a sliding window and refuses once a key has too many: sign-ins per user name and
/// address, `.p7m` uploads per principal. Counted in the store, so that nodes sharing it share the limit however a
/// proxy spreads one person's attempts over them.
///
/// Keys come from people who have not signed in, so nothing they send is kept as given: a key is stored as its
/// SHA-256 digest (``AccessSecret/digest(_:)``, 64 characters whatever its length), attempts that have left the window
/// are pruned once a window, and the store keeps about `capacity` attempts (the oldest go first; a tenth more per
/// node recording at once).
public final class AttemptLimiter: Sendable {
    let store: any AttemptStore
    let kind: AttemptKind
    let limit: Int
    let window: TimeInterval
    let capacity: Int
    /// When this node last pruned, and how many attempts it has recorded since.
    private let sincePrune = Mutex((at: Date.distantPast, recorded: 0))

    /// - Parameters:
    ///   - kind: what is counted.
    ///   - limit: failures a key may have in `window` before it is refused.
    ///   - window: seconds a failure counts.
    ///   - capacity: attempts kept at most.
    public init(store: any AttemptStore, kind: AttemptKind, limit: Int, window: TimeInterval, capacity: Int = 50_000) {
        self.store = store
        self.kind = kind
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Seconds until `key` may try again, or nil when it may now.
    public func retryAfter(_ key: String, now: Date) async throws -> Int? {
        let recent = try await store.attempts(
            kind,
            key: AccessSecret.digest(key),
            after: now.addingTimeInterval(-window),
            limit: limit
        )
        // The key is refused until the oldest of its latest `limit` failures leaves the window.
        guard recent.count >= limit, let oldest = recent.last else { return nil }
        return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    /// Records an attempt that counts against `key`.
    public func record(_ key: String, now: Date) async throws {
        try await store.recordAttempt(kind, key: AccessSecret.digest(key), at: now)
        // Pruned once a window, and, in a flood, after each tenth of the capacity recorded on this node, down to nine
        // tenths: the store holds at most `capacity` while one node records.
        let due = sincePrune.withLock { since in
            since.recorded += 1
            guard now.timeIntervalSince(since.at) >= window || since.recorded >= capacity / 10 else { return false }
            since = (now, 0)
            return true
        }
        guard due else { return }
        _ = try await store.pruneAttempts(before: now.addingTimeInterval(-window), keeping: capacity - capacity / 10)
    }

    /// Forgets `key`'s failures (a successful sign-in).
    public func reset(_ key: String) async throws {
        try await store.clearAttempts(kind, key: AccessSecret.digest(key))
    }
}
