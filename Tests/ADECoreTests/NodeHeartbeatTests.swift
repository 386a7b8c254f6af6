import ADECore
import ADETesting
import Foundation
import Logging
import Synchronization
import Testing

/// ``NodeHeartbeat``: what `ade nodes` and the console's Nodes table read.
struct NodeHeartbeatTests {
    final class Address: Sendable {
        let value = Mutex<String?>(nil)
    }

    @Test func aNodeIsRecordedWithItsAddressOnceBoundAndForgetsTheSilentOnes() async throws {
        let store = MemoryStore()
        let clock = ManualTimeSource(now: Date(timeIntervalSince1970: 1_790_000_000))
        let address = Address()
        let heartbeat = NodeHeartbeat(
            store: store,
            id: "h:1:a",
            address: { address.value.withLock { $0 } },
            version: "0.1.0",
            timeSource: clock,
            configuration: .init(interval: 10, forgetAfter: 3600),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        let started = clock.now()
        let silent = ClusterNode(id: "h:2:b", address: nil, version: "0.1.0", startedAt: started, seenAt: started)
        try await store.recordHeartbeat(silent)

        #expect(await heartbeat.beat().address == nil, "not bound yet")
        address.value.withLock { $0 = "http://127.0.0.1:8080" }
        clock.advance(by: 3601)
        await heartbeat.beat()
        let nodes = await store.nodes(now: clock.now())
        #expect(nodes.map(\.id) == ["h:1:a"], "the node silent for an hour is forgotten")
        #expect(nodes.first?.address == "http://127.0.0.1:8080")
        #expect(nodes.first?.startedAt == started && nodes.first?.seenAt == clock.now())
        #expect(nodes.first?.isLive(at: clock.now()) == true)
        #expect(nodes.first?.isLive(at: clock.now().addingTimeInterval(31)) == false)
    }
}
