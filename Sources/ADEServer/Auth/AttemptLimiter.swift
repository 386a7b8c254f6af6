import Crypto
public import Foundation
import Synchronization

/// Counts failures per key in a sliding window and refuses once a key has too many: sign-ins per user name and
/// address, `.p7m` uploads per principal. Kept in memory: each server instance counts its own.
///
/// Keys come from people who have not signed in, so nothing they send is kept as given: a key is stored as its
/// SHA-256 digest (32 bytes whatever its length), keys whose failures have all left the window are swept out, and
/// the table holds at most `capacity` keys (the least recently failing ones go first).
public final class AttemptLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    let capacity: Int

    private struct Table {
        var failures: [SHA256Digest: [Date]] = [:]
        var lastSweep = Date.distantPast
    }

    private let table = Mutex(Table())

    /// - Parameters:
    ///   - limit: failures a key may have in `window` before it is refused.
    ///   - window: seconds a failure counts.
    ///   - capacity: keys kept at most.
    public init(limit: Int, window: TimeInterval, capacity: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Seconds until `key` may try again, or nil when it may now.
    public func retryAfter(_ key: String, now: Date) -> Int? {
        let digest = SHA256.hash(data: Data(key.utf8))
        return table.withLock { table in
            let recent = recentFailures(table.failures[digest], now: now)
            table.failures[digest] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// Records an attempt that counts against `key`.
    public func record(_ key: String, now: Date) {
        let digest = SHA256.hash(data: Data(key.utf8))
        table.withLock { table in
            var recent = recentFailures(table.failures[digest], now: now)
            recent.append(now)
            // A key's list never needs more than `limit` entries to decide; the oldest go.
            if recent.count > limit { recent.removeFirst(recent.count - limit) }
            table.failures[digest] = recent
            if now.timeIntervalSince(table.lastSweep) >= window || table.failures.count > capacity {
                sweep(&table, now: now)
            }
        }
    }

    /// Forgets `key`'s failures (a successful sign-in).
    public func reset(_ key: String) {
        let digest = SHA256.hash(data: Data(key.utf8))
        table.withLock { _ = $0.failures.removeValue(forKey: digest) }
    }

    /// How many keys the table holds now.
    public var count: Int { table.withLock { $0.failures.count } }

    private func recentFailures(_ failures: [Date]?, now: Date) -> [Date] {
        (failures ?? []).filter { now.timeIntervalSince($0) < window }
    }

    /// Drops the keys with no failure left in the window, then, above capacity, the keys whose last failure is
    /// oldest, down to nine tenths of the capacity so that a flood does not sweep on every record.
    private func sweep(_ table: inout Table, now: Date) {
        table.lastSweep = now
        table.failures = table.failures.filter { _, dates in
            dates.last.map { now.timeIntervalSince($0) < window } ?? false
        }
        guard table.failures.count > capacity else { return }
        let keep = capacity * 9 / 10
        let newest = table.failures.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }
        table.failures = Dictionary(uniqueKeysWithValues: newest.prefix(keep).map { ($0.key, $0.value) })
    }
}
