public import ADESupport
public import Foundation
public import Logging
public import ServiceLifecycle

/// The ServiceLifecycle service that keeps this node in the store's list of nodes (`ade nodes`, the console): a
/// heartbeat every ``Configuration/interval``, nodes silent for ``Configuration/forgetAfter`` forgotten (processes that
/// died), and this node removed when it stops gracefully.
public struct NodeHeartbeat: Service {
    /// How often, and when a node silent that long is gone.
    public struct Configuration: Sendable {
        /// Between two heartbeats.
        public var interval: TimeInterval
        /// A node not heard from for this long is forgotten by the next heartbeat of any node.
        public var forgetAfter: TimeInterval

        public init(interval: TimeInterval = 10, forgetAfter: TimeInterval = 86_400) {
            self.interval = interval
            self.forgetAfter = forgetAfter
        }
    }

    let store: any NodeStore
    /// This node: its id is the holder name of the leases it takes.
    let node: ClusterNode
    /// Where it serves, read at each heartbeat: known once its listener is bound.
    let address: @Sendable () -> String?
    let timeSource: any TimeSource
    let configuration: Configuration
    let logger: Logger

    /// - Parameters:
    ///   - id: The node's unique name, the scheduler's ``TokenSyncer/Holder/name``, so that its leases count as its.
    ///   - address: Where it serves, read at each heartbeat (nil until its listener is bound).
    ///   - version: The `ade` version it runs.
    public init(
        store: any NodeStore,
        id: String,
        address: @escaping @Sendable () -> String?,
        version: String,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) {
        self.store = store
        let now = timeSource.now()
        self.node = ClusterNode(id: id, address: nil, version: version, startedAt: now, seenAt: now)
        self.address = address
        self.timeSource = timeSource
        self.configuration = configuration
        self.logger = logger
    }

    /// Beats until a graceful shutdown or cancellation, then removes the node. A heartbeat that fails (the database
    /// restarting) is logged and the next one tried on time.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let beaten = await beat()
                // Until its listener is bound the node has no address: it beats again a second later to give it.
                let wait = beaten.address == nil ? min(1, configuration.interval) : configuration.interval
                do {
                    try await timeSource.sleep(for: .interval(wait))
                } catch {
                    break
                }
            }
        }
        do {
            try await store.removeNode(id: node.id)
        } catch {
            logger.notice("This node could not be removed from the list of nodes", metadata: ["error": "\(error)"])
        }
    }

    /// One heartbeat, and the nodes silent too long forgotten; returns the node as recorded.
    @discardableResult
    public func beat() async -> ClusterNode {
        var node = node
        node.seenAt = timeSource.now()
        node.address = address()
        do {
            try await store.recordHeartbeat(node)
            let forgotten = try await store.removeNodes(
                seenBefore: node.seenAt.addingTimeInterval(-configuration.forgetAfter)
            )
            if forgotten > 0 { logger.info("Forgot nodes not heard from", metadata: ["nodes": "\(forgotten)"]) }
        } catch {
            logger.warning("Heartbeat failed", metadata: ["error": "\(error)"])
        }
        return node
    }
}
