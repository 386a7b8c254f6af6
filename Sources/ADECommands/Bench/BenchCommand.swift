import ADECore
import ADESupport
import ArgumentParser
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import Logging

/// `ade bench simulator [--devices N] [--page-size N]`: serving and decoding rates, for a release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ade's speed (build with -c release; never part of the tests).",
        subcommands: [Simulator.self, Sync.self, Store.self, Server.self, Assign.self]
    )

    /// A logger that drops everything: the benches measure, they do not log.
    static let quiet = Logger(label: "ade.bench") { _ in SwiftLogNoOpLogHandler() }

    /// A new folder under the temporary directory, for a bench's databases; the caller deletes it.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ade-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Serving rate of the simulator and decode rate of the client on a full fetch.
    struct Simulator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Full fetch of N devices over loopback: the simulator's serving rate, then DEPClient's decode rate.",
            discussion: """
                Phase 1 fetches every page through the real HTTP transport without decoding (it reads the cursor with \
                a string scan) and reports devices per second served. Phase 2 decodes the same pages with \
                JSONDecoder and with the direct page parser the sync uses, and reports devices per second decoded.
                """
        )

        @Option(name: .long, help: "Devices of the simulated MDM server.") var devices: Int = 1_000_000
        @Option(name: .long, help: "Devices per page.") var pageSize: Int = 1000

        func run() async throws {
            var configuration = SimulatorConfiguration(servers: [.init(name: "bench", devices: devices)])
            configuration.maximumPageLimit = max(pageSize, configuration.maximumPageLimit)
            let quiet = BenchCommand.quiet
            let simulator = DEPSimulator(configuration: configuration, logger: quiet)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let application = simulator.application(host: "127.0.0.1", port: 0) { port in
                continuation.yield(port)
                continuation.finish()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                defer { group.cancelAll() }
                let server = DEPServer(
                    name: "bench",
                    credentials: try simulator.credentials(server: simulator.defaultServerUUID),
                    baseURL: URL(string: "http://127.0.0.1:\(port)")!
                )
                let transport = try HTTPClientTransport()
                let client = DEPClient(configuration: .init(retry: .none), transport: transport, logger: quiet)
                _ = try await client.account(server)  // Session opened outside the measurement.

                var pages: [[UInt8]] = []
                pages.reserveCapacity(devices / max(pageSize, 1) + 1)
                var cursor: String?
                var bytes = 0
                let serveStart = ContinuousClock.now
                while true {
                    let body = try JSONCoding.encode(DevicePageRequest(cursor: cursor, limit: pageSize))
                    let response = try await client.send("POST", "/server/devices", body: body, server: server)
                    bytes += response.body.count
                    pages.append(response.body)
                    guard let next = Self.scanCursor(response.body), Self.scanMoreToFollow(response.body) else { break }
                    cursor = next
                }
                let serveTime = ContinuousClock.now - serveStart
                try await transport.shutdown()

                var decoded = 0
                let decoder = JSONCoding.decoder()
                let decodeStart = ContinuousClock.now
                for page in pages {
                    decoded += try decoder.decode(DevicePage.self, from: Data(page)).devices.count
                }
                let decodeTime = ContinuousClock.now - decodeStart
                let parseStart = ContinuousClock.now
                for page in pages {
                    _ = try DEPJSON.decodePage(page)
                }
                let parseTime = ContinuousClock.now - parseStart

                let serveSeconds = serveTime.timeInterval
                let decodeSeconds = decodeTime.timeInterval
                Console.current.line("devices: \(decoded) in \(pages.count) pages of \(pageSize)")
                Console.current.line(
                    String(
                        format: "served (loopback HTTP, not decoded): %.2f s, %.0f devices/s, %.1f MB/s",
                        serveSeconds,
                        Double(decoded) / serveSeconds,
                        Double(bytes) / 1_000_000 / serveSeconds
                    )
                )
                Console.current.line(
                    String(
                        format: "decoded by JSONDecoder (DEPClient wire types): %.2f s, %.0f devices/s",
                        decodeSeconds,
                        Double(decoded) / decodeSeconds
                    )
                )
                Console.current.line(
                    String(
                        format: "decoded by DEPJSON.decodePage (the sync's path): %.2f s, %.0f devices/s",
                        parseTime.timeInterval,
                        Double(decoded) / parseTime.timeInterval
                    )
                )
            }
        }

        /// The value of `"cursor":"…"` at the start of a page (the simulator writes it first).
        static func scanCursor(_ body: [UInt8]) -> String? {
            let key = Array(#""cursor":""#.utf8)
            guard let start = body.firstRange(of: key)?.upperBound,
                let end = body[start...].firstIndex(of: UInt8(ascii: "\""))
            else {
                return nil
            }
            return String(decoding: body[start..<end], as: UTF8.self)
        }

        /// Whether the page ends with `"more_to_follow":true`.
        static func scanMoreToFollow(_ body: [UInt8]) -> Bool {
            body.suffix(32).firstRange(of: Array(#""more_to_follow":true"#.utf8)) != nil
        }
    }
}
