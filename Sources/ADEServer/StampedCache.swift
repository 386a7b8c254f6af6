import ADECore
import Foundation
import Synchronization

/// Values kept in memory while the store's ``ChangeTracking/changeStamp()`` stays the same, and for at most
/// `lifetime`: an API token found by its digest, a page of the token list.
///
/// A value is served only under the stamp it was read under, so a commit anywhere — this process or another sharing
/// the database — makes the next request read again. Callers take the stamp *before* reading, so a change landing
/// during the read leaves the value under an older stamp, never a newer one. `lifetime` bounds what the stamp cannot
/// see: the passing of time (days left, a sync that stalls) and the scheduler's memory.
///
/// Requests that miss together wait for one read rather than each making its own: when a page expires under load,
/// one request reads it and the others get its answer.
final class StampedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var stamp: UInt64
        var madeAt: Date
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Reads under way, by key, with the stamp they were started under.
        var reading: [Key: (stamp: UInt64, task: Task<Value, any Error>)] = [:]
    }

    private enum Found {
        case kept(Value)
        case reading(Task<Value, any Error>)
    }

    private let state = Mutex(State())
    /// The most values kept; when full, values of an older stamp go first, then all.
    let capacity: Int
    let lifetime: TimeInterval

    init(capacity: Int, lifetime: TimeInterval) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The value kept for `key` if it was read under `stamp` less than `lifetime` before `now`; otherwise the value
    /// `read` returns (once for all the requests that ask meanwhile under the same stamp), which is then kept. What
    /// `read` throws is passed to every waiting request and nothing is kept.
    func value(
        for key: Key,
        stamp: UInt64,
        now: Date,
        read: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let found: Found = state.withLock { state in
            if let entry = state.entries[key] {
                let age = now.timeIntervalSince(entry.madeAt)
                if entry.stamp == stamp, age >= 0, age < lifetime { return .kept(entry.value) }
                state.entries[key] = nil
            }
            if let reading = state.reading[key], reading.stamp == stamp { return .reading(reading.task) }
            let task = Task {
                do {
                    let value = try await read()
                    self.finish(key, stamp: stamp, keeping: Entry(value: value, stamp: stamp, madeAt: now))
                    return value
                } catch {
                    self.finish(key, stamp: stamp, keeping: nil)
                    throw error
                }
            }
            state.reading[key] = (stamp, task)
            return .reading(task)
        }
        switch found {
        case .kept(let value): return value
        case .reading(let task): return try await task.value
        }
    }

    /// Ends a read of `key` under `stamp`, keeping its value when there is one.
    private func finish(_ key: Key, stamp: UInt64, keeping entry: Entry?) {
        state.withLock { state in
            guard state.reading[key]?.stamp == stamp else { return }
            state.reading[key] = nil
            guard let entry else { return }
            if state.entries[key] == nil, state.entries.count >= capacity {
                state.entries = state.entries.filter { $0.value.stamp == stamp }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[key] = entry
        }
    }
}
