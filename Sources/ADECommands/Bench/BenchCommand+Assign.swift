import ADECore
import ADESQLite
import ADESupport
import ArgumentParser
import DEPClient
import Foundation
import Logging
import NIOHTTP1

extension BenchCommand {
    /// `ade bench assign [--devices N] [--rounds R]`: what automatic profile assignment adds to a full sync.
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full syncs of N devices by 'ade sync', without and with a default profile to assign.",
            discussion: """
                A separate 'ade simulator' of N devices; each round makes two new databases and tokens (the real path) \
                and times a full sync by an 'ade sync' process: one without a default profile, one with a default \
                profile that every device receives (Assign a Profile calls of 1000 serials after each page). Prints \
                each round and the median overhead, on the full fetch that brings the devices in and on the whole \
                run, whose sync phase then reads Apple's echo of every assignment. Build with -c release.
                """
        )
        @Option(name: .long, help: "Devices of the simulated MDM server.") var devices: Int = 100_000
        @Option(name: .long, help: "Rounds of the two syncs.") var rounds: Int = 3
        @Option(
            name: .customLong("latency-ms"),
            help: "Milliseconds the simulator adds to every answer, as Apple's round trip would (0: none)."
        ) var latencyMilliseconds: Int = 0

        func run() async throws {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let directory = try BenchCommand.scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (simulator, url) = try Sync.startSimulator(executable: executable, devices: devices)
            defer {
                simulator.terminate()
                simulator.waitUntilExit()
            }
            let uuid = try Sync.defaultServer(in: try await Sync.control(url + "/control/state"))
            if latencyMilliseconds > 0 {
                _ = try await Sync.control(
                    url + "/control/servers/\(uuid)/faults",
                    method: .PUT,
                    body: #"{"latencyMilliseconds":\#(latencyMilliseconds)}"#
                )
            }

            // Overheads on the full fetch that brings the devices in (each page's default profile pass included),
            // and on the whole run, whose sync phase then reads Apple's echo: every assigned device as `modified`.
            var overheads: [Double] = []
            var wholeOverheads: [Double] = []
            for round in 1...max(1, rounds) {
                let plain = try await fullSync(
                    url: url,
                    server: uuid,
                    executable: executable,
                    directory: directory,
                    name: "plain\(round)",
                    withDefault: false
                )
                let assigning = try await fullSync(
                    url: url,
                    server: uuid,
                    executable: executable,
                    directory: directory,
                    name: "assign\(round)",
                    withDefault: true
                )
                let overhead = (assigning.fetchSeconds / plain.fetchSeconds - 1) * 100
                let whole = (assigning.seconds / plain.seconds - 1) * 100
                overheads.append(overhead)
                wholeOverheads.append(whole)
                Console.current.line(
                    String(
                        format:
                            "round %d: without a default %.2f s (fetch %.2f s, %d devices, %d pages); with one %.2f s (fetch %.2f s, %d devices, %d assigned, %d pages, %d modified): fetch %+.1f %%, whole sync %+.1f %%",
                        round,
                        plain.seconds,
                        plain.fetchSeconds,
                        plain.devices,
                        plain.pages,
                        assigning.seconds,
                        assigning.fetchSeconds,
                        assigning.devices,
                        assigning.assigned,
                        assigning.pages,
                        assigning.modified,
                        overhead,
                        whole
                    )
                )
            }
            Console.current.line(
                String(
                    format:
                        "median overhead of assignment: fetch of the new devices %+.1f %%, whole sync with Apple's echo %+.1f %%",
                    overheads.sorted()[overheads.count / 2],
                    wholeOverheads.sorted()[wholeOverheads.count / 2]
                )
            )
        }

        /// One timed sync.
        struct Timing {
            /// The `ade sync` process, start to exit.
            var seconds: Double
            /// The run's full fetch: from its start to its last fetch page.
            var fetchSeconds: Double
            var devices: Int
            var assigned: Int
            var pages: Int
            var modified: Int
        }

        /// A new database and token for the simulator's server, optionally a default profile, then a full sync by
        /// an `ade sync` process, timed.
        func fullSync(
            url: String,
            server uuid: String,
            executable: URL,
            directory: URL,
            name: String,
            withDefault: Bool
        ) async throws -> Timing {
            let databasePath = directory.appendingPathComponent("\(name).sqlite").path
            let (store, box) = try await Sync.openStore(at: databasePath)
            let quiet = BenchCommand.quiet
            let transport = try HTTPClientTransport()
            do {
                let result = try await timedSync(
                    url: url,
                    server: uuid,
                    executable: executable,
                    databasePath: databasePath,
                    store: store,
                    box: box,
                    client: DEPClient(transport: transport, logger: quiet),
                    name: name,
                    withDefault: withDefault
                )
                try await transport.shutdown()
                return result
            } catch {
                try? await transport.shutdown()
                throw error
            }
        }

        func timedSync(
            url: String,
            server uuid: String,
            executable: URL,
            databasePath: String,
            store: SQLiteStore,
            box: SecretBox,
            client: DEPClient,
            name: String,
            withDefault: Bool
        ) async throws -> Timing {
            let quiet = BenchCommand.quiet
            let tokens = TokenService(
                store: store,
                box: box,
                client: client,
                timeSource: SystemTimeSource(),
                allowCustomURL: true,
                logger: quiet
            )
            let token = try await Sync.enroll(name, url: url, server: uuid, tokens: tokens)
            if withDefault {
                let profiles = ProfileService(
                    tokens: tokens,
                    assigner: ProfileAssigner(
                        store: store,
                        client: client,
                        timeSource: SystemTimeSource(),
                        logger: quiet
                    ),
                    timeSource: SystemTimeSource(),
                    logger: quiet
                )
                _ = try await profiles.create(
                    token: name,
                    name: "Default",
                    profile: Profile(profileName: "Bench \(name)", url: "https://mdm.example.com/enroll")
                )
                try await profiles.setDefault(token: name, name: "Default", family: nil)
            }
            let sync = Process()
            sync.executableURL = executable
            sync.arguments = ["sync", name, "--database", databasePath]
            sync.standardOutput = FileHandle.nullDevice
            sync.standardError = FileHandle.nullDevice
            let start = ContinuousClock.now
            try sync.run()
            sync.waitUntilExit()
            let seconds = (ContinuousClock.now - start).timeInterval
            let devices = try await store.deviceCount(tokenID: token.id, includeRemoved: false)
            let assigned = try await store.assignmentCounts(tokenID: token.id)[.assigned] ?? 0
            let run = try await store.runs(tokenID: token.id, limit: 1).first
            if !withDefault {
                // Devices an earlier round assigned lose their profile at Apple (untimed), so that the next round's
                // devices all need one again.
                let server = try await tokens.server(for: token)
                var after: String?
                while true {
                    let page = try await store.devices(
                        tokenID: token.id,
                        matching: DeviceQuery(profileStatus: .assigned),
                        after: after,
                        limit: 1000
                    )
                    if !page.isEmpty { _ = try await client.removeProfile(server, serials: page.map(\.serialNumber)) }
                    guard page.count == 1000, let last = page.last else { break }
                    after = last.serialNumber
                }
            }
            // The fetch ends with its last page, when the cursor records the full fetch (both on the wall clock).
            let fetchEnded = try await store.cursor(tokenID: token.id)?.lastFullFetchAt
            var fetchSeconds = seconds
            if let started = run?.startedAt, let fetchEnded { fetchSeconds = fetchEnded.timeIntervalSince(started) }
            return Timing(
                seconds: seconds,
                fetchSeconds: fetchSeconds,
                devices: devices,
                assigned: assigned,
                pages: run?.pages ?? 0,
                modified: run?.modified ?? 0
            )
        }
    }
}
