public import Foundation

/// The event outbox: events are written by the stores in the same transaction as their cause (a page of devices,
/// assignment outcomes); the delivery service reads them in order.
public protocol OutboxStore: Sendable {
    /// Events after `id`, oldest first.
    func events(after id: Int64, limit: Int) async throws -> [OutboxEvent]
    /// Deletes the events created before `date` whose number is at most `id` (every reader is past them); returns
    /// how many.
    func pruneEvents(before date: Date, upTo id: Int64) async throws -> Int
}
