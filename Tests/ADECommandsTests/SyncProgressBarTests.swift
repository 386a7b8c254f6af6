import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Testing

@testable import ADECommands

struct SyncProgressBarTests {
    /// The line of token "Fleet", in English.
    static func render(
        pages: Int,
        devices: Int,
        _ phase: SyncCursorState.Phase,
        expected: Int,
        elapsed: Duration,
        width: Int = 200
    ) -> String {
        SyncProgressBar.render(
            TokenSyncer.Progress(pages: pages, devices: devices, changes: PageChanges(), phase: phase),
            name: "Fleet",
            expected: expected,
            elapsed: elapsed,
            width: width,
            locale: .english
        )
    }

    @Test func aFullFetchIsABarAgainstTheLastCount() {
        let line = Self.render(pages: 5, devices: 5000, .fetch, expected: 10_000, elapsed: .seconds(2))
        #expect(line == "Fleet ██████████░░░░░░░░░░ 50% · 5000 of about 10000 devices · 2500 devices/s")
    }

    @Test func theBarStopsShortOfTheEndUntilTheFetchEnds() {
        let line = Self.render(pages: 12, devices: 12_000, .fetch, expected: 10_000, elapsed: .seconds(1))
        #expect(line.contains("99% · 12000 of about 10000 devices"), "more devices than last time: \(line)")
    }

    @Test func deltasAndFirstFetchesCount() {
        let delta = Self.render(pages: 2, devices: 40, .sync, expected: 10_000, elapsed: .milliseconds(500))
        #expect(delta == "Fleet: reading changes · 2 pages · 40 devices · 80 devices/s")
        let first = Self.render(pages: 3, devices: 3000, .fetch, expected: 0, elapsed: .seconds(3))
        #expect(first == "Fleet: fetching every device · 3 pages · 3000 devices · 1000 devices/s")
    }

    @Test func aNarrowTerminalGetsAShortenedLine() {
        let line = Self.render(pages: 3, devices: 3000, .fetch, expected: 0, elapsed: .seconds(3), width: 20)
        #expect(line.count == 20)
        #expect(line == "Fleet: fetching eve…")
    }

    @Test func syncDrawsProgressOnATerminalOnly() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 2500)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                let piped = await CommandHarness.run(["sync", "Fleet"] + database)
                #expect(piped.status == 0, "\(piped.error)")
                #expect(!piped.error.contains("\u{1B}"), "no control characters when standard error is not a terminal")

                let drawn = await CommandHarness.run(["sync", "Fleet", "--full"] + database, terminal: 120)
                #expect(drawn.status == 0, "\(drawn.error)")
                #expect(drawn.error.contains("\r\u{1B}[2KFleet █"), "a bar against the 2500 devices: \(drawn.error)")
                #expect(drawn.error.contains("of about 2500 devices"))
                #expect(drawn.error.hasSuffix("\r\u{1B}[2K"), "the line is cleared at the end")
                #expect(drawn.output.contains("Fleet: full sync, "), "the summary stays on standard output")
            }
        }
    }
}
