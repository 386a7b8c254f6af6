import ADECore
import ADESQLite
import ADETesting
import DEPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import ADEServer

/// What the server answers from memory (API tokens, token list pages) and what makes it read again: any commit, in
/// this process or another; the clock; the language; the scheduler.
@Suite(.timeLimit(.minutes(2)))
struct AnswerCacheTests {
    struct Failure: Error, Equatable {}

    final class Counter: Sendable {
        let count = Atomic<Int>(0)
    }

    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func requestsThatMissTogetherWaitForOneRead() async throws {
        let cache = StampedCache<String, Int>(capacity: 4, lifetime: 1)
        let reads = Counter()
        let (opened, gate) = AsyncStream<Void>.makeStream()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value(for: "page", stamp: 1, now: Self.now) {
                        reads.count.add(1, ordering: .relaxed)
                        for await _ in opened { break }
                        return 42
                    }
                }
            }
            // Every request has asked (or will find the read under way) before the read may end.
            try await Task.sleep(for: .milliseconds(100))
            gate.yield()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 42, count: 20))
        #expect(reads.count.load(ordering: .relaxed) == 1)
        let again = try await cache.value(for: "page", stamp: 1, now: Self.now.addingTimeInterval(0.5)) { 0 }
        #expect(again == 42, "kept for its lifetime under the same stamp")
    }

    @Test func aNewStampTheClockOrAFailureMakesItReadAgain() async throws {
        let cache = StampedCache<String, Int>(capacity: 4, lifetime: 1)
        #expect(try await cache.value(for: "k", stamp: 1, now: Self.now) { 1 } == 1)
        #expect(try await cache.value(for: "k", stamp: 2, now: Self.now) { 2 } == 2, "a commit since")
        #expect(try await cache.value(for: "k", stamp: 2, now: Self.now.addingTimeInterval(1)) { 3 } == 3, "too old")
        #expect(try await cache.value(for: "k", stamp: 2, now: Self.now) { 4 } == 4, "a clock moved back")
        await #expect(throws: Failure()) {
            try await cache.value(for: "x", stamp: 2, now: Self.now) { throw Failure() }
        }
        #expect(try await cache.value(for: "x", stamp: 2, now: Self.now) { 5 } == 5, "a failure is not kept")
    }

    @Test func aFullCacheDropsOlderStampsFirst() async throws {
        let cache = StampedCache<Int, Int>(capacity: 2, lifetime: 60)
        _ = try await cache.value(for: 1, stamp: 1, now: Self.now) { 1 }
        _ = try await cache.value(for: 2, stamp: 2, now: Self.now) { 2 }
        _ = try await cache.value(for: 3, stamp: 2, now: Self.now) { 3 }
        #expect(try await cache.value(for: 2, stamp: 2, now: Self.now) { -1 } == 2, "kept: same stamp")
        #expect(try await cache.value(for: 3, stamp: 2, now: Self.now) { -1 } == 3)
        _ = try await cache.value(for: 4, stamp: 2, now: Self.now) { 4 }
        #expect(try await cache.value(for: 2, stamp: 2, now: Self.now) { -1 } == -1, "all current: cleared")
    }

    @Test func theTokenListFollowsEveryChangeTheClockAndTheLanguage() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "reader", scope: .read)
            let auth: HTTPFields = [.authorization: "Bearer \(value)"]
            func list(_ headers: HTTPFields = [:]) async throws -> [[String: Any]] {
                var all = auth
                all.append(contentsOf: headers)
                let response = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: all)
                #expect(response.status == .ok)
                return try RouterTests.json(response)["tokens"] as? [[String: Any]] ?? []
            }
            let first = try await list()
            #expect(first.map { $0["name"] as? String } == ["Healthy", "Rejected"])
            #expect(try await list().map { $0["name"] as? String } == ["Healthy", "Rejected"])

            // A write through the store, as the sync engine or the CLI makes it: seen by the next request.
            var healthy = try #require(try await fixture.store.token(named: "Healthy"))
            healthy.name = "Renamed"
            try await fixture.store.updateToken(healthy)
            #expect(try await list().map { $0["name"] as? String } == ["Rejected", "Renamed"])

            // The clock: a day later, a day less.
            let days = try #require(try await list().first { $0["name"] as? String == "Renamed" }?["days_left"] as? Int)
            fixture.timeSource.advance(by: 86_400)
            let later = try await list().first { $0["name"] as? String == "Renamed" }?["days_left"] as? Int
            #expect(later == days - 1)

            // The language: each its own page.
            let french = try await list([.acceptLanguage: "fr"]).first { $0["name"] as? String == "Rejected" }
            let english = try await list().first { $0["name"] as? String == "Rejected" }
            #expect(french?["title"] as? String != english?["title"] as? String)
            #expect((english?["title"] as? String)?.isEmpty == false)
        }
    }

    @Test func anAPITokenRevokedByAnotherProcessFailsAtOnce() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let timeSource = ManualTimeSource(now: Date())
            let access = AccessService(store: store, hasher: PasswordHasher(cost: 4), timeSource: timeSource)
            let (_, value) = try await access.createAPIToken(name: "reader", scope: .read)
            let transport = try HTTPClientTransport()
            let tokens = TokenService(
                store: store,
                box: SecretBox(key: .generate()),
                client: DEPClient(transport: transport, logger: SimulatorHarness.quietLogger),
                timeSource: timeSource,
                allowCustomURL: true,
                logger: SimulatorHarness.quietLogger
            )
            let router = try await buildRouter(
                configuration: ServerConfiguration(passwordCost: 4),
                dependencies: ServerDependencies(store: store, tokens: tokens, scheduler: nil, timeSource: timeSource)
            )
            try await Application(router: router, logger: SimulatorHarness.quietLogger).test(.router) { client in
                let auth: HTTPFields = [.authorization: "Bearer \(value)"]
                for _ in 0..<3 {
                    #expect(try await client.execute(uri: "/api/v1/tokens", method: .get, headers: auth).status == .ok)
                }
                // `ade api-token revoke reader` in another process: its own connection to the same file.
                let other = try SQLiteStore(path: path)
                try await AccessService(store: other, hasher: PasswordHasher(cost: 4), timeSource: timeSource)
                    .revokeAPIToken(name: "reader")
                let refused = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: auth)
                #expect(refused.status == .unauthorized)
                #expect(try RouterTests.errorCode(refused) == "invalid_api_token")
            }
            try await transport.shutdown()
        }
    }
}
