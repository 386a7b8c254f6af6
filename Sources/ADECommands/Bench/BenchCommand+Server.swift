import ADECore
import ADESQLite
import ADEServer
import ADESupport
import ArgumentParser
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

extension BenchCommand {
    /// `ade bench server`: latency of the token list and the devices list under load, measured with wrk.
    struct Server: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the API with wrk: the token list with N tokens, the device list of a token of M devices.",
            discussion: """
                Fills a new SQLite database, or with --database an empty PostgreSQL one (tokens written straight into \
                the store, each with a run; the devices page by page as a full fetch writes them), starts the server \
                in this process, and runs wrk \
                (Debian's package) against GET /api/v1/tokens (the first page, then random pages) and \
                GET /api/v1/devices (random keyset pages), pages of --page-size. Prints wrk's latency percentiles \
                and rate. Build with -c release.
                """
        )
        @Option(name: .long, help: "Tokens in the database.") var tokens: Int = 2000
        @Option(name: .long, help: "Devices of the largest token.") var devices: Int = 1_000_000
        @Option(name: .long, help: "wrk's concurrent connections.") var connections: Int = 50
        @Option(name: .long, help: "Seconds of load per route.") var duration: Int = 15
        @Option(name: .long, help: "wrk's threads.") var threads: Int = 2
        @Option(name: .long, help: "Devices and tokens a page (1–1000).") var pageSize: Int = 100
        @Option(name: .long, help: "An empty PostgreSQL database (postgres://…) instead of a new SQLite file.")
        var database: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) { try await measure() }
        }

        func measure() async throws {
            guard (1...1000).contains(pageSize) else {
                throw CommandError(
                    .settingInvalid,
                    parameters: ["setting": "--page-size", "minimum": "1", "maximum": "1000"]
                )
            }
            let directory = try BenchCommand.scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let location = try StoreFactory.Location(
                database ?? directory.appendingPathComponent("ade.sqlite").path,
                environment: ProcessInfo.processInfo.environment
            )
            try await StoreFactory.withStore(location, logger: BenchCommand.quiet, serving: true) { store in
                guard try await store.tokens(after: nil, limit: 1).isEmpty else {
                    throw CommandError(.databaseNotEmpty, parameters: ["database": location.description])
                }
                try await measure(store: store, directory: directory)
            }
        }

        /// Fills `store`, serves it, and loads it with wrk.
        func measure(store: any ADEStore, directory: URL) async throws {
            let start = ContinuousClock.now
            let serials = try await Self.fill(store, tokens: tokens, devices: devices)
            Console.current.line(
                String(
                    format: "filled: %d tokens, %d devices in %.1f s",
                    tokens,
                    devices,
                    (ContinuousClock.now - start).timeInterval
                )
            )

            let quiet = BenchCommand.quiet
            let transport = try HTTPClientTransport()
            let service = TokenService(
                store: store,
                box: SecretBox(key: .generate()),
                client: DEPClient(transport: transport, logger: quiet),
                timeSource: SystemTimeSource(),
                allowCustomURL: true,
                logger: quiet
            )
            let access = AccessService(store: store, hasher: PasswordHasher(cost: 4), timeSource: SystemTimeSource())
            let (_, value) = try await access.createAPIToken(name: "bench", scope: .read)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let application = try await buildApplication(
                configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                dependencies: ServerDependencies(
                    store: store,
                    tokens: service,
                    scheduler: nil,
                    timeSource: SystemTimeSource()
                ),
                logger: quiet
            ) { port in
                continuation.yield(port)
                continuation.finish()
            }
            let script = directory.appendingPathComponent("devices.lua")
            try Self.randomPages(
                path: "/api/v1/devices?token=Large&limit=\(pageSize)&after=",
                afters: serials
            ).write(to: script, atomically: true, encoding: .utf8)
            // Pages of the token list after a random token: too many to be kept in memory, so each is computed.
            let tokenScript = directory.appendingPathComponent("tokens.lua")
            try Self.randomPages(
                path: "/api/v1/tokens?limit=\(pageSize)&after=",
                afters: (1..<max(2, tokens)).map { String(format: "Token%%20%04d", $0) }
            ).write(to: tokenScript, atomically: true, encoding: .utf8)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                let base = "http://127.0.0.1:\(port)"
                for (label, path, lua) in [
                    (
                        "token list (\(tokens) tokens, first page of \(pageSize))", "/api/v1/tokens?limit=\(pageSize)",
                        nil as String?
                    ),
                    ("token list (random pages of \(pageSize), each computed)", "/api/v1/tokens", tokenScript.path),
                    ("device list (\(devices) devices, keyset pages of \(pageSize))", "/api/v1/devices", script.path),
                ] {
                    let cpuBefore = Self.processCPUSeconds()
                    let output = try Self.wrk(
                        url: base + path,
                        bearer: value,
                        script: lua,
                        connections: connections,
                        threads: threads,
                        duration: duration
                    )
                    let cpu = Self.processCPUSeconds() - cpuBefore
                    Console.current.line("\(label): \(Self.summary(output, serverCPUSeconds: cpu))")
                }
                group.cancelAll()
            }
            try await transport.shutdown()
        }

        /// A wrk script that asks for `path` followed by one of `afters` (URL-encoded already), at random.
        static func randomPages(path: String, afters: [String]) -> String {
            """
            local afters = {\(afters.map { "\"\($0)\"" }.joined(separator: ","))}
            math.randomseed(7)
            request = function()
              return wrk.format("GET", "\(path)" .. afters[math.random(#afters)])
            end
            """
        }

        /// Tokens with their MDM server, expiry and a run each; the devices of "Large" page by page. Returns 1,000
        /// serials of "Large" to page after.
        static func fill(_ store: some TokenStore & SyncRunStore & DeviceSyncStore, tokens: Int, devices: Int)
            async throws -> [String]
        {
            let now = Date()
            for index in 0..<tokens {
                let name = index == 0 ? "Large" : String(format: "Token %04d", index)
                var token = try await store.createToken(
                    name: name,
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: now
                )
                token.uploadedAt = now
                token.serverName = name
                token.serverUUID = UUID().uuidString
                token.organisationName = "Bench Organisation"
                token.adminAppleID = "admin@bench.example"
                token.accessTokenExpiry = now.addingTimeInterval(Double(index % 400) * 86_400)
                try await store.updateToken(token)
                var run = try await store.startRun(tokenID: token.id, kind: .delta, at: now)
                run.outcome = index % 10 == 0 ? .failed : .succeeded
                run.errorCode = index % 10 == 0 ? "terms_not_signed" : nil
                run.endedAt = now
                try await store.updateRun(run)
            }
            guard let large = try await store.token(named: "Large") else { return [] }
            var random = SeededRandom(seed: 0x5EED)
            var written = 0
            var sample: [String] = []
            while written < devices {
                let count = min(1000, devices - written)
                let records = (0..<count).map { _ in BenchCommand.Store.device(&random) }
                if sample.count < 1000 { sample.append(records[0].serialNumber) }
                written += count
                _ = try await store.applyPage(
                    records,
                    cursor: SyncCursorState(phase: .fetch, cursor: "c\(written)", fetchGeneration: 1),
                    completesFetch: written == devices,
                    tokenID: large.id,
                    now: now
                )
            }
            return sample
        }

        static func wrk(url: String, bearer: String, script: String?, connections: Int, threads: Int, duration: Int)
            throws
            -> String
        {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                [
                    "wrk", "-t\(threads)", "-c\(connections)", "-d\(duration)s", "--latency", "-H",
                    "Authorization: Bearer \(bearer)",
                ] + (script.map { ["-s", $0] } ?? []) + [url]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CommandError(
                    .toolFailed,
                    parameters: ["tool": "wrk", "detail": text.trimmingCharacters(in: .whitespacesAndNewlines)]
                )
            }
            return text
        }

        /// The CPU time (user and system) this process has used: the server's, since wrk runs in its own process.
        static func processCPUSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }

        /// `p50 … p99 …, N requests/s, …` from wrk's output, and the server's CPU time a request: steadier than the
        /// rate on a machine whose speed moves from hour to hour (wrk shares its cores).
        static func summary(_ output: String, serverCPUSeconds: Double) -> String {
            func value(_ pattern: Regex<(Substring, Substring)>) -> String {
                output.firstMatch(of: pattern).map { String($0.1) } ?? "?"
            }
            let non2xx = output.firstMatch(of: /Non-2xx or 3xx responses: (\d+)/).map { String($0.1) } ?? "0"
            // "Transfer/sec:     62.48MB" over the rate: the size of one response.
            let rate = Double(value(/Requests\/sec:\s+(\S+)/)) ?? 0
            let transfer = output.firstMatch(of: /Transfer\/sec:\s+([\d.]+)([KMG]?)B/).map { match in
                (Double(match.1) ?? 0)
                    * ["": 1, "K": 1024, "M": 1_048_576, "G": 1_073_741_824][String(match.2), default: 1]
            }
            let size = transfer.map { rate > 0 ? String(format: "%.1f KB", $0 / rate / 1024) : "?" } ?? "?"
            let requests = output.firstMatch(of: /(\d+) requests in/).flatMap { Double($0.1) } ?? 0
            let cpu = requests > 0 ? String(format: "%.3f ms", serverCPUSeconds / requests * 1000) : "?"
            // The "Latency Distribution" lines: "     50%   22.29ms".
            return "p50 \(value(/\n\s+50%\s+(\S+)/)), p90 \(value(/\n\s+90%\s+(\S+)/)), "
                + "p99 \(value(/\n\s+99%\s+(\S+)/)), "
                + "\(value(/Requests\/sec:\s+(\S+)/)) requests/s, \(size) a response, server CPU \(cpu) a request, "
                + "non-2xx \(non2xx)"
        }
    }
}
