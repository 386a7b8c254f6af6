public import Foundation

/// A process running `ade serve` on a store, as its heartbeats record it: what `ade nodes` and the console list.
public struct ClusterNode: Sendable, Hashable, Codable {
    /// The node's unique name, which is also the holder name of the leases it takes (`host:pid:random`).
    public var id: String
    /// Where the node serves (its public URL, or the address it listens on).
    public var address: String?
    /// The `ade` version it runs.
    public var version: String
    public var startedAt: Date
    /// Its latest heartbeat.
    public var seenAt: Date
    /// The tokens it holds a live lease of, as the store counted them when read (0 when written).
    public var tokensHeld: Int

    public init(id: String, address: String?, version: String, startedAt: Date, seenAt: Date, tokensHeld: Int = 0) {
        self.id = id
        self.address = address
        self.version = version
        self.startedAt = startedAt
        self.seenAt = seenAt
        self.tokensHeld = tokensHeld
    }
}

extension ClusterNode {
    /// The heartbeats a node may miss before it counts as silent.
    public static let silentAfter: TimeInterval = 30

    /// Whole seconds from its latest heartbeat to `now` (0 for a heartbeat stamped ahead of `now`).
    public func secondsSinceHeartbeat(at now: Date) -> Int {
        max(0, Int(now.timeIntervalSince(seenAt).rounded()))
    }

    /// Whether the node was heard from within ``silentAfter`` of `now`.
    public func isLive(at now: Date) -> Bool {
        now.timeIntervalSince(seenAt) < Self.silentAfter
    }
}
