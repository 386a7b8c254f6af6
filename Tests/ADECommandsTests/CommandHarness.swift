import ArgumentParser
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

    /// Parses and runs `ade <arguments>` the way the executable does.
    static func run(_ arguments: [String]) async -> Result {
        let output = Buffer()
        let error = Buffer()
        let console = Console(writeOut: { output.append($0) }, writeError: { error.append($0) })
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
