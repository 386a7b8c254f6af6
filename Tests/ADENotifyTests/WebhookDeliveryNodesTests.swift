import ADECore
import ADENotify
import ADEPostgres
import ADESupport
import ADETesting
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Two nodes delivering one database's outbox to one receiver: each event arrives once.
@Suite(.timeLimit(.minutes(2)))
struct WebhookDeliveryNodesTests {
    @Test func twoNodesDeliverEachEventOnce() async throws {
        let secret = "whsec_nodes"
        let receiver = WebhookDeliveryTests.Receiver(secret: SymmetricKey(data: Data(secret.utf8)))
        let application = Application(
            router: receiver.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        let location = try PostgresLocation(url: try await PostgresTestServer.newDatabase(), environment: [:])
        let logger = WebhookDeliveryTests.quiet
        let limit = PostgresTestServer.connectionLimit
        try await application.test(.live) { client in
            try await PostgresStore.withStore(location, logger: logger, connectingWithin: limit) { first in
                try await PostgresStore.withStore(location, logger: logger, connectingWithin: limit) { second in
                    let box = SecretBox(key: .generate())
                    _ = try await WebhookService(store: first, box: box, timeSource: SystemTimeSource(), logger: logger)
                        .add(
                            name: "receiver",
                            url: "http://127.0.0.1:\(client.port!)/hook",
                            allowsPrivateNetwork: true,
                            secret: secret
                        )
                    let token = try await first.createToken(
                        name: "Campus",
                        baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                        createdAt: Date()
                    )
                    for page in 0..<30 {
                        _ = try await first.applyPage(
                            [DeviceRecord(serialNumber: "S\(page)", profileStatus: .empty)],
                            cursor: SyncCursorState(phase: .fetch, cursor: "c\(page)", fetchGeneration: 1),
                            completesFetch: false,
                            tokenID: token.id,
                            now: Date()
                        )
                    }
                    // Small batches, so that the two nodes take turns on the endpoint.
                    let nodes = [(first, "node-a"), (second, "node-b")].map { store, holder in
                        WebhookDeliveryService(
                            store: store,
                            box: box,
                            timeSource: SystemTimeSource(),
                            configuration: .init(batchSize: 3, holder: holder),
                            logger: logger
                        )
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for node in nodes {
                            group.addTask {
                                // Until everything arrived, by time rather than a count of passes: on a loaded
                                // machine one node's slow pass can see the other's fast, empty ones run out.
                                let deadline = ContinuousClock.now + .seconds(60)
                                while receiver.received.withLock({ $0.count }) < 30, ContinuousClock.now < deadline {
                                    if try await node.deliverPending() == 0 {
                                        try await Task.sleep(for: .milliseconds(10))
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    let ids = receiver.received.withLock { $0.map(\.id) }
                    #expect(ids.count == 30, "each event once: \(ids.count) deliveries")
                    #expect(Set(ids).count == ids.count && ids == ids.sorted())
                }
            }
        }
    }
}
