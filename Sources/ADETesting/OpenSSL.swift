import Foundation

/// Runs the `openssl` command-line tool, the reference implementation tests compare `ade` against.
///
/// `.ci/run` installs it; a test that needs it fails with a clear message when it is missing rather than passing
/// without checking anything.
public enum OpenSSL {
    /// What a run printed and returned.
    public struct Result: Sendable {
        public let status: Int32
        public let output: [UInt8]
        public let error: String
    }

    /// The executable: `$OPENSSL`, or `openssl` on the `PATH`.
    public static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["OPENSSL"] { return path }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `openssl` with arguments and optional standard input.
    /// - Throws: when the tool is missing or exits non-zero (with what it printed on standard error).
    @discardableResult
    public static func run(_ arguments: [String], input: [UInt8] = []) throws -> Result {
        guard let executable else {
            throw OpenSSLError(message: "openssl is not installed; .ci/run installs it (apt-get install openssl)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes while the process runs, so a large output cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var output = Data()
        nonisolated(unsafe) var error = Data()
        DispatchQueue.global().async(group: group) { output = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { error = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        let result = Result(
            status: process.terminationStatus,
            output: Array(output),
            error: String(decoding: error, as: UTF8.self)
        )
        guard result.status == 0 else {
            throw OpenSSLError(
                message: "openssl \(arguments.joined(separator: " ")) exited \(result.status): \(result.error)"
            )
        }
        return result
    }
}

/// `openssl` is missing or failed.
public struct OpenSSLError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
