import ADECore
import ADESQLite
import ADESupport
import ArgumentParser
import AsyncHTTPClient
import DEPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServerToken

#if canImport(Glibc)
import Glibc
#endif

extension BenchCommand {
    /// `ade bench sync [--devices N] [--database URL]`: a full sync from `ade simulator` in its own process into
    /// SQLite (or an empty PostgreSQL database), by an `ade sync` process of its own; then a delta sync with no change.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full sync of N devices from a separate 'ade simulator' into SQLite by a separate 'ade sync'.",
            discussion: """
                Reports the end-to-end rate, the peak RSS and CPU time of the 'ade sync' process, and the time of a \
                delta sync with no change (in process, median of 5). Build with -c release. With --database \
                postgres://…, the sync goes into that database, which must hold no token named 'bench' (a new \
                database: createdb ade_bench).
                """
        )
        @Option(name: .long, help: "Devices of the simulated MDM server.") var devices: Int = 1_000_000
        @Option(name: .long, help: "A PostgreSQL database (postgres://…) instead of a new SQLite file.")
        var database: String?

        func run() async throws {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let directory = try BenchCommand.scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }

            // The simulator, in its own process.
            let (simulator, url) = try Self.startSimulator(executable: executable, devices: devices)
            defer {
                simulator.terminate()
                simulator.waitUntilExit()
            }

            // A token through the real path: key pair, certificate to the simulated ABM, .p7m, upload.
            let databasePath = database ?? directory.appendingPathComponent("ade.sqlite").path
            let keyFile = directory.appendingPathComponent("ade.key").path
            let environment = ProcessInfo.processInfo.environment.merging([
                MasterKeyLoader.fileVariable: keyFile, "ADE_MASTER_KEY": "",
            ]) { $1 }
            let location = try StoreFactory.Location(databasePath, environment: environment)
            try await StoreFactory.withStore(location, logger: BenchCommand.quiet) { store in
                let (key, _) = try await MasterKeyLoader.load(
                    environment: environment,
                    keyFilePath: keyFile,
                    store: store
                )
                try await measure(
                    store: store,
                    box: SecretBox(key: key),
                    url: url,
                    database: databasePath,
                    environment: environment,
                    executable: executable
                )
            }
        }

        /// The full sync by an `ade sync` process, then the deltas in process, and the report.
        func measure(
            store: any ADEStore,
            box: SecretBox,
            url: String,
            database databasePath: String,
            environment: [String: String],
            executable: URL
        ) async throws {
            let quiet = BenchCommand.quiet
            let transport = try HTTPClientTransport()
            let client = DEPClient(transport: transport, logger: quiet)
            let service = TokenService(
                store: store,
                box: box,
                client: client,
                timeSource: SystemTimeSource(),
                allowCustomURL: true,
                logger: quiet
            )
            let uuid = try Self.defaultServer(in: try await Self.control(url + "/control/state"))
            let uploaded = try await Self.enroll("bench", url: url, server: uuid, tokens: service)

            // The full sync, by an `ade sync` process.
            let sync = Process()
            sync.executableURL = executable
            sync.arguments = ["sync", "bench", "--database", databasePath]
            sync.environment = environment
            sync.standardOutput = FileHandle.nullDevice
            sync.standardError = FileHandle.nullDevice
            let start = ContinuousClock.now
            try sync.run()
            sync.waitUntilExit()
            let elapsed = (ContinuousClock.now - start).timeInterval
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            let stored = try await store.deviceCount(tokenID: uploaded.id, includeRemoved: false)

            // Deltas with no change, in process.
            let syncer = TokenSyncer(
                store: store,
                tokens: service,
                client: client,
                timeSource: SystemTimeSource(),
                logger: quiet
            )
            var deltas: [Double] = []
            for _ in 0..<5 {
                let deltaStart = ContinuousClock.now
                _ = try await syncer.run(uploaded, holder: .current())
                deltas.append((ContinuousClock.now - deltaStart).timeInterval * 1000)
            }
            try await transport.shutdown()

            Console.current.line("devices: \(stored) of \(devices), 'ade sync' exit status \(sync.terminationStatus)")
            Console.current.line(
                String(
                    format: "full sync, simulator and ade sync in separate processes: %.2f s, %.0f devices/s",
                    elapsed,
                    Double(stored) / elapsed
                )
            )
            Console.current.line(
                String(format: "peak RSS of the ade sync process: %.1f MB", Double(usage.ru_maxrss) / 1024)
            )
            Console.current.line(
                String(
                    format: "CPU time of the ade sync process: user %.2f s, system %.2f s",
                    usage.ru_utime.seconds,
                    usage.ru_stime.seconds
                )
            )
            Console.current.line(
                String(
                    format: "delta sync with no change (in process): median %.1f ms, runs %@",
                    deltas.sorted()[2],
                    deltas.map { String(format: "%.1f", $0) }.joined(separator: " ")
                )
            )
        }

        /// A new database with its master key file, as `ade sync` will open it.
        static func openStore(at path: String) async throws -> (SQLiteStore, SecretBox) {
            let store = try SQLiteStore(path: path)
            let (key, _) = try await MasterKeyLoader.load(
                environment: [:],
                keyFilePath: MasterKeyLoader.keyFilePath(forDatabase: path),
                store: store
            )
            return (store, SecretBox(key: key))
        }

        /// A token through the real path: key pair, certificate to the simulated ABM, `.p7m`, upload.
        static func enroll(_ name: String, url: String, server uuid: String, tokens: TokenService) async throws
            -> EnrollmentToken
        {
            let (_, certificate) = try await tokens.create(name: name, baseURL: URL(string: url)!)
            _ = try await control(
                url + "/control/servers/\(uuid)/certificate",
                method: .PUT,
                body: certificate.pemRepresentation
            )
            let file = try await control(url + "/control/servers/\(uuid)/token", method: .POST)
            return try await tokens.upload(name: name, file: Array(file.utf8)).token
        }

        /// `ade simulator` of `devices` devices in a process of its own, and the URL it listens on.
        static func startSimulator(executable: URL, devices: Int) throws -> (Process, String) {
            let simulator = Process()
            simulator.executableURL = executable
            simulator.arguments = ["simulator", "--port", "0", "--devices", String(devices), "--log-level", "error"]
            let output = Pipe()
            simulator.standardOutput = output
            simulator.standardError = FileHandle.nullDevice
            try simulator.run()
            do {
                return (simulator, try listeningURL(output.fileHandleForReading))
            } catch {
                simulator.terminate()
                throw error
            }
        }

        /// Reads the simulator's first line for its URL.
        static func listeningURL(_ handle: FileHandle) throws -> String {
            var text = ""
            while !text.contains("\n") {
                let data = handle.availableData
                guard !data.isEmpty else { break }
                text += String(decoding: data, as: UTF8.self)
            }
            guard let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else {
                throw CommandError(.urlInvalid, parameters: ["url": text])
            }
            return String(text[range])
        }

        static func control(_ url: String, method: HTTPMethod = .GET, body: String? = nil) async throws -> String {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            return String(buffer: try await response.body.collect(upTo: 1 << 20))
        }

        static func defaultServer(in state: String) throws -> String {
            guard let object = try JSONSerialization.jsonObject(with: Data(state.utf8)) as? [String: Any],
                let servers = object["servers"] as? [[String: Any]], let uuid = servers.first?["uuid"] as? String
            else {
                throw CommandError(.jsonInvalid, path: "/control/state", parameters: ["detail": "no server"])
            }
            return uuid
        }
    }
}

extension timeval {
    /// The interval in seconds.
    var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1_000_000 }
}
