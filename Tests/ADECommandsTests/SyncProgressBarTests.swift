import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Testing

@testable import ADECommands

struct SyncProgressBarTests {
    @Test func aFullFetchIsABarAgainstTheLastCount() {
        let line = SyncProgressBar.render(
            TokenSyncer.Progress(pages: 5, devices: 5000, changes: PageChanges(), phase: .fetch),
            name: "Fleet",
            expected: 10_000,
            elapsed: .seconds(2),
            width: 200,
            locale: .english
        )
        #expect(line == "Fleet ██████████░░░░░░░░░░ 50% · 5000 of about 10000 devices · 2500 devices/s")
    }

    @Test func theBarStopsShortOfTheEndUntilTheFetchEnds() {
        let line = SyncProgressBar.render(
            TokenSyncer.Progress(pages: 12, devices: 12_000, changes: PageChanges(), phase: .fetch),
            name: "Fleet",
            expected: 10_000,
            elapsed: .seconds(1),
            width: 200,
            locale: .english
        )
        #expect(line.contains("99% · 12000 of about 10000 devices"), "more devices than last time: \(line)")
    }

    @Test func deltasAndFirstFetchesCount() {
        let delta = SyncProgressBar.render(
            TokenSyncer.Progress(pages: 2, devices: 40, changes: PageChanges(), phase: .sync),
            name: "Fleet",
            expected: 10_000,
            elapsed: .milliseconds(500),
            width: 200,
            locale: .english
        )
        #expect(delta == "Fleet: reading changes · 2 pages · 40 devices · 80 devices/s")
        let first = SyncProgressBar.render(
            TokenSyncer.Progress(pages: 3, devices: 3000, changes: PageChanges(), phase: .fetch),
            name: "Fleet",
            expected: 0,
            elapsed: .seconds(3),
            width: 200,
            locale: .english
        )
        #expect(first == "Fleet: fetching every device · 3 pages · 3000 devices · 1000 devices/s")
    }

    @Test func aNarrowTerminalGetsAShortenedLine() {
        let line = SyncProgressBar.render(
            TokenSyncer.Progress(pages: 3, devices: 3000, changes: PageChanges(), phase: .fetch),
            name: "Fleet",
            expected: 0,
            elapsed: .seconds(3),
            width: 20,
            locale: .english
        )
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
