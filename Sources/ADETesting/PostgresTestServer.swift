public import Foundation

/// The PostgreSQL server the tests use: `ADE_TEST_POSTGRES_URL` when set (`scripts/test` starts a cluster and sets
/// it), else a throw-away cluster that `scripts/postgres` starts on first use and stops when the test process exits.
/// Each test takes a database of its own (``newDatabase()``), so tests run in parallel on one server.
public enum PostgresTestServer {
    /// How long a test's store may take to connect and migrate.
    public static let connectionLimit = Duration.seconds(90)

    /// The URL of the server's `postgres` database.
    public static func url() throws -> String {
        try shared.get()
    }

    /// A new, empty database on the server; its URL.
    public static func newDatabase() async throws -> String {
        let base = try url()
        let name = "ade_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await onOwnThread { _ = try psql(base, "CREATE DATABASE \(name)") }
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
        // system(3) rather than Process: Foundation does not always see the script end when it is started from a
        // test's own thread during the suite, and the cluster outlives the script.
        let url = try startCluster(in: folder)
        startedCluster = folder
        atexit {
            guard let folder = PostgresTestServer.startedCluster else { return }
            PostgresTestServer.stopCluster(in: folder)
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".url")
        }
        return url
    }

    /// A cluster of a test's own, in `folder`, for a test that stops and starts its server: started (or started
    /// again) by `scripts/postgres`; its URL. With `tls`, on 127.0.0.1 with TLS required, its certificate (its own
    /// authority) in `folder/server.crt`.
    @discardableResult
    public static func startCluster(in folder: String, tls: Bool = false) throws -> String {
        let mode = tls ? " --tls" : ""
        guard system("bash '\(script)' start '\(folder)'\(mode) > '\(folder).url' 2>/dev/null") == 0,
            let text = FileManager.default.contents(atPath: folder + ".url")
        else {
            throw Failure(
                "scripts/postgres start \(folder) failed: is PostgreSQL installed (apt-get install postgresql)?"
            )
        }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops a cluster of ``startCluster(in:)``.
    public static func stopCluster(in folder: String) {
        _ = system("bash '\(script)' stop '\(folder)' >/dev/null 2>&1")
    }

    /// `scripts/postgres`, found from this file's place in the repository.
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres").path

    nonisolated(unsafe) private static var startedCluster: String?
}
