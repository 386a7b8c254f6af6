public import Foundation

/// The PostgreSQL server the tests use: `ADE_TEST_POSTGRES_URL` when set (`scripts/test` starts a cluster and sets
/// it), else a throw-away cluster that `scripts/postgres` starts on first use and stops when the test process exits.
/// Each test takes a database of its own (``newDatabase()``), so tests run in parallel on one server.
public enum PostgresTestServer {
    /// The URL of the server's `postgres` database.
    public static func url() throws -> String {
        try shared.get()
    }

    /// A new, empty database on the server; its URL.
    public static func newDatabase() throws -> String {
        let base = try url()
        let name = "ade_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(base, "CREATE DATABASE \(name)")
        guard var components = URLComponents(string: base) else { throw Failure("not a URL: \(base)") }
        components.path = "/" + name
        return components.string ?? base
    }

    /// Runs one statement with `psql` (the reference client) on the database at `url`; its output.
    @discardableResult
    public static func psql(_ url: String, _ statement: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", statement]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problem = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("psql \(statement): " + String(decoding: problem, as: UTF8.self))
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Why the server could not be had.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private static let shared = Result<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["ADE_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ade-pg-\(getpid())").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start", folder]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure("scripts/postgres start \(folder) failed") }
        startedCluster = (script, folder)
        atexit {
            guard let (script, folder) = PostgresTestServer.startedCluster else { return }
            let stop = Process()
            stop.executableURL = URL(fileURLWithPath: "/bin/bash")
            stop.arguments = [script, "stop", folder]
            try? stop.run()
            stop.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    nonisolated(unsafe) private static var startedCluster: (script: String, folder: String)?
}
