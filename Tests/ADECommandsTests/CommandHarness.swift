import ADETesting
import ArgumentParser
import DEPSimulator
import Foundation
import Synchronization

@testable import ADECommands

/// Runs `ade` commands in process and collects what they print and their exit code.
enum CommandHarness {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    private final class Buffer: Sendable {
        let text = Mutex("")
        func append(_ string: String) { text.withLock { $0 += string } }
        var value: String { text.withLock { $0 } }
    }

    /// Parses and runs `ade <arguments>` the way the executable does; `terminal` makes standard error a terminal of
    /// that width.
    static func run(_ arguments: [String], terminal width: Int? = nil) async -> Result {
        let output = Buffer()
        let error = Buffer()
        let console = Console(
            writeOut: { output.append($0) },
            writeError: { error.append($0) },
            isTerminal: width != nil,
            terminalWidth: width ?? 80
        )
        var status: Int32 = 0
        await Console.$current.withValue(console) {
            do {
                var command = try ADE.parseAsRoot(arguments)
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch {
                status = ADE.exitCode(for: error).rawValue
                if status != ExitCode.failure.rawValue || !(error is ExitCode) {
                    let message = ADE.message(for: error)
                    if !message.isEmpty { console.writeError(message + "\n") }
                }
            }
        }
        return Result(status: status, output: output.value, error: error.value)
    }
}

extension CommandHarness {
    /// The whole path through the commands: `ade token create NAME` for the simulator, the certificate uploaded to
    /// its ABM, the `.p7m` downloaded there and stored with `ade token upload`.
    static func enroll(
        _ name: String,
        harness: SimulatorHarness,
        directory: TemporaryDirectory,
        database: [String],
        server index: Int = 0
    ) async throws {
        let created = await run(
            ["token", "create", name, "--url", harness.baseURL.absoluteString, "--allow-custom-dep-url"] + database
        )
        guard created.status == 0 else { throw SimulatorHarnessError(message: "token create failed: \(created.error)") }
        let uuid = harness.simulator.servers[index].uuid
        try harness.simulator.uploadCertificate(pem: created.output, server: uuid)
        let file = try directory.write(
            "\(name).p7m",
            Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
        )
        let uploaded = await run(["token", "upload", name, file] + database)
        guard uploaded.status == 0 else {
            throw SimulatorHarnessError(message: "token upload failed: \(uploaded.error)")
        }
    }
}
