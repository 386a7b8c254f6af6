import ADETesting
import DEPSimulator
import Foundation
import Testing

@testable import ADECommands

#if canImport(Glibc)
import Glibc
#endif

/// What scripts read from the commands: results alone on standard output, guidance on standard error, and a
/// sentence or an empty array rather than nothing.
struct CommandOutputTests {
    @Test func anAPITokenIsAloneOnStandardOutput() async throws {
        try await TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let created = await CommandHarness.run(["api-token", "create", "ci"] + database)
            #expect(created.status == 0, "\(created.error)")
            let lines = created.output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("ade_"), "T=$(ade api-token create ci) holds the token")
            #expect(!created.error.isEmpty, "the explanation goes to standard error")
        }
    }

    @Test func tokenListAndShowSayTheState() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 3)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                _ = await CommandHarness.run(
                    ["token", "create", "Waiting", "--url", harness.baseURL.absoluteString, "--allow-custom-dep-url"]
                        + database
                )
                let list = await CommandHarness.run(["token", "list"] + database)
                #expect(list.output.contains("State") && list.output.contains("Awaiting upload"), "\(list.output)")
                let show = await CommandHarness.run(["token", "show", "Waiting"] + database)
                #expect(show.output.contains("Awaiting upload"))
                #expect(show.output.contains("How to fix it") && show.output.contains("1. "))
                #expect(!show.output.split(separator: "\n").contains { $0.hasPrefix(":") }, "steps continue unlabelled")
                #expect(show.output.contains("ade token upload Waiting"))
                let json = await CommandHarness.run(["token", "list", "--format", "json"] + database)
                let tokens = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
                #expect(tokens?.first?["state"] as? String == "awaiting_upload")
                #expect(tokens?.first?["severity"] as? String == "warning")
            }
        }
    }

    @Test func anEmptyDeliveryLogSaysSo() async throws {
        try await TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let added = await CommandHarness.run(
                ["webhook", "add", "hook", "https://hooks.example.com/ade"] + database
            )
            #expect(added.status == 0, "\(added.error)")
            let text = await CommandHarness.run(["webhook", "deliveries", "hook"] + database)
            #expect(text.output == "No delivery attempt yet.\n")
            let json = await CommandHarness.run(["webhook", "deliveries", "hook", "--format", "json"] + database)
            #expect(json.output == "[]\n", "an empty list, as a script's JSON reader expects it")
        }
    }

    @Test func aKeyFileOthersCanReadIsNamedWithItsFix() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let database = ["--database", path]
            #expect(await CommandHarness.run(["token", "list"] + database).status == 0)
            #expect(chmod(path + ".key", 0o644) == 0)
            let listed = await CommandHarness.run(["token", "list"] + database)
            #expect(listed.error.contains("can be read by other users"), "\(listed.error)")
            #expect(listed.error.contains("chmod 600 \(path).key"))
        }
    }
}
