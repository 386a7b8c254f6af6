import ADECore
import ADESQLite
import ADETesting
import DEPSimulator
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `ade sync` process, killed with SIGKILL at random moments of a 100,000-device sync, then allowed to finish:
/// the device table equals Apple's list exactly, with nothing lost or duplicated.
struct CrashSafetyTests {
    /// The `ade` executable built beside the test bundle (`scripts/test` builds it first).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ade")
    }

    @Test func killedSyncsConvergeToApplesList() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("ade is not built at \(Self.executable.path): run scripts/test, which builds it first")
            return
        }
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Crash", devices: 100_000)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let databasePath = directory.path("ade.sqlite")
                let database = ["--database", databasePath]
                try await CommandHarness.enroll("Crash", harness: harness, directory: directory, database: database)
                let uuid = harness.simulator.defaultServerUUID

                var generator = SystemRandomNumberGenerator()
                var kills: [Int] = []
                var round = 0
                var churned = false
                // A run that finished before its kill leaves only quick deltas: the next run fetches everything
                // again (--full), and kills come sooner.
                var maximumDelay = 1500
                var refetch = false
                while kills.count < 10 {
                    round += 1
                    #expect(round < 60, "could not kill a running sync ten times")
                    if round >= 60 { break }
                    if kills.count >= 5, !churned {
                        try harness.simulator.churn(server: uuid, added: 500, modified: 300, deleted: 200)
                        churned = true
                    }
                    let process = Process()
                    process.executableURL = Self.executable
                    process.arguments = ["sync", "Crash"] + (refetch ? ["--full"] : []) + database
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    // A few milliseconds to most of a full sync: in the fetch, at its end, in the sync after it.
                    let delay = Int.random(in: 20...maximumDelay, using: &generator)
                    try await Task.sleep(for: .milliseconds(delay))
                    if process.isRunning {
                        kill(process.processIdentifier, SIGKILL)
                        kills.append(delay)
                        refetch = false
                    } else {
                        refetch = true
                        maximumDelay = max(100, maximumDelay * 2 / 3)
                    }
                    // On a thread of its own: the simulator this process serves needs the cooperative threads.
                    try await onOwnThread { process.waitUntilExit() }
                }
                #expect(kills.count >= 10, "killed \(kills.count) times at \(kills) ms")

                // Let it finish: a run completes within a few attempts (a killed holder's lease is taken over).
                var finished = false
                for _ in 0..<5 where !finished {
                    let process = Process()
                    process.executableURL = Self.executable
                    process.arguments = ["sync", "Crash"] + database
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    try await onOwnThread { process.waitUntilExit() }
                    finished = process.terminationStatus == 0
                }
                #expect(finished)
                let store = try SQLiteStore(path: databasePath)
                let token = try #require(try await store.token(named: "Crash"))
                let stored = try await store.allDevices(tokenID: token.id, pageSize: 10_000).map(\.serialNumber)
                let apple = try harness.simulator.serials(server: uuid, offset: 0, limit: 200_000)
                let missing = Set(apple).subtracting(stored).count
                let extra = Set(stored).subtracting(apple).count
                #expect(stored.count == apple.count, "after kills at \(kills) ms")
                #expect(
                    missing == 0 && extra == 0,
                    "the device table equals Apple's list: \(missing) missing, \(extra) extra"
                )
                #expect(Set(stored).count == stored.count, "no duplicates")
                // Every killed run was closed by the next process, with the pages it wrote before the kill.
                let runs = try await store.runs(tokenID: token.id, limit: 100)
                #expect(runs.allSatisfy { $0.outcome != .running }, "no run stays running")
                let interrupted = runs.filter { $0.outcome == .interrupted }
                #expect(
                    interrupted.count >= kills.count / 2,
                    "\(interrupted.count) interrupted of \(kills.count) kills"
                )
                #expect(interrupted.contains { $0.pages > 0 }, "the pages written before a kill are counted")
                #expect(apple.count == 100_000 + 500 - 200)
            }
        }
    }
}
