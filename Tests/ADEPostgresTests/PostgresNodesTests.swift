import ADECore
import ADETesting
import Foundation
import Logging
import Synchronization
import Testing

@testable import ADEPostgres

/// Several nodes on one database: each node is a store of its own (its own pool of connections), as `ade serve`
/// processes on different machines are.
@Suite(.timeLimit(.minutes(2)))
struct PostgresNodesTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Runs `body` with `count` stores on one new database, listening for each other's commits when `listening`.
    static func withNodes<T>(
        _ count: Int,
        listening: Bool = false,
        _ body: ([PostgresStore]) async throws -> T
    ) async throws -> T {
        let location = try PostgresLocation(url: try await PostgresTestServer.newDatabase(), environment: [:])
        func open(_ opened: [PostgresStore]) async throws -> T {
            guard opened.count < count else { return try await body(opened) }
            return try await PostgresStore.withStore(
                location,
                logger: PostgresStoreTests.logger,
                connectingWithin: PostgresTestServer.connectionLimit,
                listening: listening
            ) { store in
                try await open(opened + [store])
            }
        }
        return try await open([])
    }

    /// What lets a node keep answers in memory: its stamp stays put while nobody commits, and moves within
    /// moments of a commit on another node (the notice PostgreSQL sends at commit) and at once at its own.
    @Test func aCommitOnOneNodeMovesTheStampOfTheOthers() async throws {
        try await Self.withNodes(2, listening: true) { nodes in
            let (writer, reader) = (nodes[0], nodes[1])
            try await Self.waitUntil("both nodes listen") {
                writer.listening.load(ordering: .acquiring) && reader.listening.load(ordering: .acquiring)
            }
            let quiet = reader.changeStamp()
            _ = try await reader.tokens()
            #expect(reader.changeStamp() == quiet, "a read moves nothing")
            for round in 0..<20 {
                let before = reader.changeStamp()
                _ = try await writer.createToken(
                    name: "T\(round)",
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: Self.start
                )
                #expect(writer.changeStamp() != before || round > 0, "the writer's own commit moves its stamp")
                try await Self.waitUntil("round \(round): the commit reaches the other node") {
                    reader.changeStamp() != before
                }
            }
            // Heartbeats change nothing a node keeps in memory.
            try await Task.sleep(for: .milliseconds(200))
            let settled = reader.changeStamp()
            try await writer.recordHeartbeat(
                ClusterNode(id: "n", address: nil, version: "0", startedAt: Self.start, seenAt: Self.start)
            )
            try await Task.sleep(for: .milliseconds(300))
            #expect(reader.changeStamp() == settled)
        }
    }

    @Test func aNodeThatDoesNotListenKeepsNothing() async throws {
        try await Self.withNodes(1) { nodes in
            #expect(nodes[0].changeStamp() != nodes[0].changeStamp())
        }
    }

    /// Polls `condition` every 5 ms for up to 5 s.
    static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Sign-in failures recorded on two nodes are one count, and of eight requests spread over two nodes racing to
    /// use one setup link, one gets it.
    @Test func attemptsAndSetupLinksAreSharedByTwoNodes() async throws {
        try await Self.withNodes(2) { nodes in
            let key = AccessSecret.digest("admin|192.0.2.1")
            for index in 0..<6 {
                try await nodes[index % 2].recordAttempt(
                    .signIn,
                    key: key,
                    at: Self.start.addingTimeInterval(Double(index))
                )
            }
            for node in nodes {
                let recent = try await node.attempts(
                    .signIn,
                    key: key,
                    after: Self.start.addingTimeInterval(-1),
                    limit: 5
                )
                #expect(recent.count == 5 && recent.first == Self.start.addingTimeInterval(5))
            }
            for round in 0..<10 {
                let digest = AccessSecret.digest("link \(round)")
                try await nodes[round % 2].openSetupLink(digest: digest, at: Self.start)
                try await nodes[1 - round % 2].openSetupLink(digest: AccessSecret.digest("other node"), at: Self.start)
                try await StoreConformance.closeSetupLinksRacing(nodes, digest: digest)
                #expect(try await nodes[0].isSetupLinkOpen(digest: nil) == false, "round \(round)")
            }
        }
    }

    @Test func holdersOnTwoNodesRacingForALeaseGetOneHolder() async throws {
        try await Self.withNodes(2) { nodes in
            for round in 0..<10 {
                let token = try await nodes[0].createToken(
                    name: "T\(round)",
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: Self.start
                )
                let answers = try await withThrowingTaskGroup(of: (String, SyncLease).self) { group in
                    for index in 0..<16 {
                        let node = nodes[index % 2]
                        group.addTask {
                            let lease = SyncLease(
                                tokenID: token.id,
                                holder: "node\(index % 2)-\(index)",
                                host: "node\(index % 2)",
                                processID: Int32(index + 1),
                                expiresAt: Self.start.addingTimeInterval(60)
                            )
                            return (lease.holder, try await node.acquireLease(lease, now: Self.start, replacing: nil))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let winners = answers.filter { $0.0 == $0.1.holder }
                #expect(winners.count == 1, "round \(round): one holder")
                #expect(Set(answers.map(\.1.holder)).count == 1, "round \(round): every node is told the same holder")
                #expect(try await nodes[1].lease(tokenID: token.id)?.holder == winners.first?.0)
            }
        }
    }

    @Test func eventsWrittenOnTwoNodesAreReadInCommitOrder() async throws {
        // A reader pages the outbox by id: an id that became visible after a higher one would never be read.
        try await Self.withNodes(2) { nodes in
            // A token each: writers of different tokens do not wait for each other's token row.
            var tokens: [EnrollmentToken] = []
            for index in 0..<40 {
                tokens.append(
                    try await nodes[0].createToken(
                        name: "T\(index)",
                        baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                        createdAt: Self.start
                    )
                )
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, token) in tokens.enumerated() {
                    let node = nodes[index % 2]
                    group.addTask {
                        _ = try await node.recordExpiryReminder(
                            ExpiryReminder(step: 1, daysLeft: 30, expiresAt: Self.start, at: Self.start),
                            tokenID: token.id
                        )
                    }
                }
                // Meanwhile a reader on a third connection follows the outbox as the delivery service does.
                group.addTask {
                    var last: Int64 = 0
                    var seen = 0
                    let deadline = Date().addingTimeInterval(10)
                    while seen < 40, Date() < deadline {
                        let events = try await nodes[1].events(after: last, limit: 100)
                        for event in events {
                            #expect(event.id > last)
                            last = event.id
                        }
                        seen += events.count
                    }
                    #expect(seen == 40)
                }
                try await group.waitForAll()
            }
            let ids = try await nodes[0].events(after: 0, limit: 100).map(\.id)
            #expect(ids.count == 40 && ids == ids.sorted())
        }
    }
}
