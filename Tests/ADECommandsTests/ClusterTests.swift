import ADECore
import ADEPostgres
import ADESupport
import ADETesting
import AsyncHTTPClient
import DEPSimulator
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Three `ade serve` processes on one PostgreSQL, syncing 200 tokens of 500 devices each from the simulator, while
/// one node is killed and the database restarts: what an operator of a large estate runs.
@Suite(.timeLimit(.minutes(5)))
struct ClusterTests {
    static let tokens = 200
    static let devices = 500

    @Test func threeNodesShareTheWorkAndSurviveAKilledNodeAndADatabaseRestart() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.executable.path) else {
            Issue.record("ade is not built: run scripts/test, which builds it first")
            return
        }
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("cluster")
            let database = try await onOwnThread { try PostgresTestServer.startCluster(in: folder) }
            defer { PostgresTestServer.stopCluster(in: folder) }
            let keyFile = directory.path("ade.key")
            // Five pages a token and Apple's round trip shortened to 40 ms: a sync lasts long enough to be cut.
            let servers = (0..<Self.tokens).map { index in
                var faults = SimulatedFaults()
                faults.latencyMilliseconds = 40
                return SimulatorConfiguration.Server(name: "S\(index)", devices: Self.devices, faults: faults)
            }
            let configuration = SimulatorConfiguration(servers: servers, maximumPageLimit: 100)
            try await SimulatorHarness.with(configuration) { harness in
                try await Self.enroll(harness, database: database, keyFile: keyFile)
                try await HookSink.with { sink in
                    try await Self.run(harness, sink: sink, database: database, keyFile: keyFile, folder: folder)
                }
            }
        }
    }

    /// The tokens, through the real path (key pair, certificate at the simulated ABM, `.p7m`), and the nodes' key.
    static func enroll(_ harness: SimulatorHarness, database: String, keyFile: String) async throws {
        try await withStore(database) { store in
            let (key, _) = try await MasterKeyLoader.load(
                environment: [MasterKeyLoader.fileVariable: keyFile],
                keyFilePath: keyFile,
                store: store
            )
            try await harness.withClient { client in
                let service = harness.tokenService(store: store, client: client, key: key)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<tokens {
                        if index >= 8 { try await group.next() }
                        group.addTask { _ = try await harness.enroll("T\(index)", server: index, with: service) }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    static func run(
        _ harness: SimulatorHarness,
        sink: HookSink,
        database: String,
        keyFile: String,
        folder: String
    ) async throws {
        let environment = [
            "ADE_DATABASE": database, "ADE_MASTER_KEY_FILE": keyFile, "ADE_MASTER_KEY": "",
            "ADE_ALLOW_CUSTOM_DEP_URL": "1", "LANG": "en",
        ]
        // Where the cluster's events go, and who signs in: as an admin sets them up, with the CLI.
        for arguments in [
            ["webhook", "add", "hooks", sink.url("/webhook"), "--allow-private-network"],
            [
                "alert", "channel", "add", "ops", "--kind", "webhook", "--url", sink.url("/alert"),
                "--allow-private-network",
            ],
        ] {
            let result = try await ServeCommandTests.adeOffThePool(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments[0]): \(result.error)")
        }
        let user = try await ServeCommandTests.adeOffThePool(
            ["user", "add", "admin", "--password-stdin"],
            input: "a long enough password\n",
            environment: environment
        )
        #expect(user.status == 0, "\(user.error)")
        let created = try await ServeCommandTests.adeOffThePool(
            ["api-token", "create", "ops", "--scope", "write", "--format", "json"],
            environment: environment
        )
        let apiToken = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["token"]
        )

        let nodes = try await (0..<3).asyncMap { index in
            try await ServeNode.start(environment: environment, log: folder + "-node\(index).log")
        }
        do {
            try await check(harness, sink: sink, nodes: nodes, database: database, folder: folder, apiToken: apiToken)
        } catch {
            try? await ServeNode.stop(nodes)
            throw error
        }
        try await ServeNode.stop(nodes)
    }

    /// What the cluster does while a node is killed and the database restarts.
    static func check(
        _ harness: SimulatorHarness,
        sink: HookSink,
        nodes: [ServeNode],
        database: String,
        folder: String,
        apiToken: String
    ) async throws {
        try await withStore(database) { store in
            // One node dies by SIGKILL while syncing: its tokens pass to the others.
            try await Self.waitFor("40 tokens synced", seconds: 120) { try await synced(store) >= 40 }
            let killedNode = nodes[0]
            let held = try await store.nodes(now: Date()).first { $0.id.contains(":\(killedNode.processID):") }
            try await onOwnThread { killedNode.kill9() }
            // The database restarts while the two others sync.
            try await Self.waitFor("100 tokens synced", seconds: 120) { try await synced(store) >= 100 }
            try await onOwnThread {
                PostgresTestServer.stopCluster(in: folder)
                _ = try PostgresTestServer.startCluster(in: folder)
            }
            try await Self.waitFor("every token synced", seconds: 180) {
                let latest = try await store.latestRuns().values
                return latest.count { $0.outcome == .succeeded } == tokens
            }

            // Each token by one node at a time, and every device stored as the simulator has it.
            let overlaps = harness.simulator.servers.map(\.overlappingRequests)
            #expect(overlaps.reduce(0, +) == 0, "requests of two nodes in flight for one token: \(overlaps)")
            let byName = Dictionary(uniqueKeysWithValues: try await store.tokens().map { ($0.name, $0) })
            for (index, server) in harness.simulator.servers.enumerated() {
                let token = try #require(byName["T\(index)"])
                let stored = try await store.allDevices(tokenID: token.id).map(\.serialNumber)
                let expected = try harness.simulator.serials(server: server.uuid, limit: devices)
                #expect(Set(stored) == Set(expected) && stored.count == devices, "T\(index): \(stored.count) devices")
            }
            let interrupted = try await (0..<tokens).asyncMap { index in
                try await store.runs(tokenID: byName["T\(index)"]!.id, limit: 20).filter { $0.outcome == .interrupted }
            }.joined()
            #expect(!interrupted.isEmpty, "runs cut by the kill or the restart are recorded as interrupted")
            #expect(held != nil, "the killed node was listed by its heartbeat")
            let listed = try await store.nodes(now: Date())
            #expect(listed.filter { $0.isLive(at: Date()) }.count >= 2, "\(listed.map(\.id))")

            // One change of state: one webhook delivery and one alert, whichever node sends them.
            // Every event reaches the webhook, those a killed node had claimed included.
            let events = try await store.events(after: 0, limit: 100_000).map(\.id)
            try await Self.waitFor("the outbox delivered", seconds: 120) {
                Set(sink.received().filter { $0.path == "/webhook" }.map(\.eventID)).isSuperset(of: events)
            }
            let before = events.last ?? 0
            try harness.simulator.revoke(server: harness.simulator.servers[1].uuid)
            let asked = try await ServeCommandTests.post(
                nodes[2].baseURL + "/api/v1/tokens/T1/sync",
                bearer: apiToken
            )
            #expect(asked.status == 202, "\(asked.body)")
            try await Self.waitFor("T1's change delivered", seconds: 60) {
                sink.received().contains { $0.path == "/alert" && $0.eventID > before && $0.token == "T1" }
            }
            try await Task.sleep(for: .seconds(5))
            // T1's change only: another token may change state meanwhile (a run the restart cut, judged again by
            // the health monitor once it succeeds), with its own single delivery.
            let changes = sink.received().filter {
                $0.eventID > before && $0.type == "token.state_changed" && $0.token == "T1"
            }
            #expect(changes.filter { $0.path == "/webhook" }.count == 1, "\(changes)")
            #expect(changes.filter { $0.path == "/alert" }.count == 1, "\(changes)")
            // Delivery is at least once: an event the receiver had when its sender was killed, or whose record the
            // restarting database refused, is sent again (same X-ADE-Delivery). Each disruption can repeat the one
            // event then in flight per endpoint, so at most two here; once the cluster is settled, none.
            for path in ["/webhook", "/alert"] {
                let ids = sink.received().filter { $0.path == path }.map(\.eventID)
                let disrupted = ids.filter { $0 <= before }
                let settled = ids.filter { $0 > before }
                #expect(disrupted.count - Set(disrupted).count <= 2, "\(path): events repeated by the disruptions")
                #expect(Set(settled).count == settled.count, "\(path): an event delivered twice on a settled cluster")
            }

            // A session started on one node is valid on the others.
            let cookie = try await ServeCommandTests.signIn(
                nodes[1].baseURL,
                name: "admin",
                password: "a long enough password"
            )
            for node in nodes.dropFirst() {
                let page = try await ServeCommandTests.get(node.baseURL + "/", cookie: cookie)
                #expect(page.status == 200 && page.body.contains("T199"), "\(node.baseURL): \(page.status)")
            }
        }
    }

    /// The test's own view of the cluster's database, which waits out a database slow to start.
    static func withStore<T>(_ database: String, _ body: (PostgresStore) async throws -> T) async throws -> T {
        try await PostgresStore.withStore(
            try PostgresLocation(url: database, environment: [:]),
            logger: SimulatorHarness.quietLogger,
            connectingWithin: PostgresTestServer.connectionLimit,
            body
        )
    }

    /// Tokens whose latest run succeeded.
    static func synced(_ store: PostgresStore) async throws -> Int {
        do {
            return try await store.latestRuns().values.count { $0.outcome == .succeeded }
        } catch let error as StoreError where error.code == .unavailable {
            return 0  // The database is restarting.
        }
    }

    /// Polls `condition` every 200 ms until it holds, or records a failure after `seconds`.
    static func waitFor(_ what: String, seconds: Int, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let holds: Bool
            do {
                holds = try await condition()
            } catch let error as StoreError where error.code == .unavailable {
                holds = false
            }
            if holds { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("not within \(seconds) s: \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// One `ade serve` process.
final class ServeNode: Sendable {
    let process: Process
    let baseURL: String

    var processID: Int32 { process.processIdentifier }

    private init(process: Process, baseURL: String) {
        self.process = process
        self.baseURL = baseURL
    }

    /// Starts `ade serve` on a free port, its log in `log`; returns once it listens.
    static func start(environment: [String: String], log: String) async throws -> ServeNode {
        try await onOwnThread {
            let process = Process()
            process.executableURL = CrashSafetyTests.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--max-concurrent-syncs", "4"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let stdout = Pipe()
            process.standardOutput = stdout
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            var printed = ""
            while printed.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+/) == nil {
                let data = stdout.fileHandleForReading.availableData
                guard !data.isEmpty else { break }
                printed += String(decoding: data, as: UTF8.self)
            }
            guard let url = printed.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+/).map({ String($0.0) }) else {
                process.terminate()
                throw SimulatorHarnessError(message: "ade serve did not start: \(printed)")
            }
            return ServeNode(process: process, baseURL: url)
        }
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Stops `nodes` with SIGTERM, waiting on a thread of its own.
    static func stop(_ nodes: [ServeNode]) async throws {
        try await onOwnThread { for node in nodes { node.stop() } }
    }
}

/// A receiver of webhooks and alerts: each request's path, event id, type and token.
final class HookSink: Sendable {
    struct Delivery: Sendable, CustomStringConvertible {
        var path: String
        var eventID: Int64
        var type: String
        var token: String?
        var description: String { "\(path) #\(eventID) \(type) \(token ?? "-")" }
    }

    let port: Int
    private let deliveries: Mutex<[Delivery]>

    private init(port: Int) {
        self.port = port
        self.deliveries = Mutex([])
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func received() -> [Delivery] { deliveries.withLock { $0 } }

    fileprivate func record(_ delivery: Delivery) { deliveries.withLock { $0.append(delivery) } }

    /// Runs a sink on a free port for the length of `body`.
    static func with<T: Sendable>(_ body: @escaping @Sendable (HookSink) async throws -> T) async throws -> T {
        let box = Mutex<HookSink?>(nil)
        let router = Router()
        router.post("/{kind}") { request, context -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
            let data = object["data"] as? [String: Any]
            box.withLock { sink in
                sink?.record(
                    Delivery(
                        path: request.uri.path,
                        eventID: (object["id"] as? NSNumber)?.int64Value ?? -1,
                        type: object["type"] as? String ?? "",
                        token: data?["token"] as? String
                    )
                )
            }
            return .ok
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: SimulatorHarness.quietLogger
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await application.run()
                return nil
            }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let sink = HookSink(port: port)
            box.withLock { $0 = sink }
            return try await body(sink)
        }
    }
}

extension ServeCommandTests {
    /// A POST with an empty JSON body.
    static func post(_ url: String, bearer: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// Signs in through the console's form; returns the session cookie (`name=value`).
    static func signIn(_ base: String, name: String, password: String) async throws -> String {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow)
        )
        defer { _ = client.shutdown() }
        let form = try await client.execute(HTTPClientRequest(url: base + "/login"), timeout: .seconds(10))
        let page = String(buffer: try await form.body.collect(upTo: 1 << 20))
        let guardCookie = try #require(form.headers["Set-Cookie"].first { $0.hasPrefix("ade_signin=") })
            .prefix { $0 != ";" }
        let field = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/)).1
        var request = HTTPClientRequest(url: base + "/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: String(guardCookie))
        request.headers.add(name: "Origin", value: base)
        let body = "name=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))&csrf=\(field)&next=%2F"
        request.body = .bytes(ByteBuffer(string: body))
        let answer = try await client.execute(request, timeout: .seconds(10))
        let session = try #require(answer.headers["Set-Cookie"].first { $0.hasPrefix("ade_session=") })
        return String(session.prefix { $0 != ";" })
    }
}

extension Sequence {
    /// `map` with an async transform, one element at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
