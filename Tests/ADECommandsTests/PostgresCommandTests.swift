import ADECore
import ADETesting
import Foundation
import Testing

/// Commands on a PostgreSQL database (`--database postgres://…`), as an admin of several nodes runs them.
@Suite(.timeLimit(.minutes(2)))
struct PostgresCommandTests {
    @Test func commandsRunOnPostgreSQLWithANamedKey() async throws {
        let database = try await PostgresTestServer.newDatabase()
        try TemporaryDirectory.with { directory in
            let keyFile = directory.path("ade.key")
            let unnamed = ["ADE_MASTER_KEY_FILE": "", "ADE_MASTER_KEY": "", "LANG": "en"]
            let named = ["ADE_MASTER_KEY_FILE": keyFile, "ADE_MASTER_KEY": "", "LANG": "en"]

            // Nodes share the database: no key file is made up beside a URL.
            let refused = try ServeCommandTests.ade(["token", "list", "--database", database], environment: unnamed)
            #expect(refused.status != 0)
            #expect(refused.error.contains("master_key_not_named"), "\(refused.error)")
            #expect(refused.error.contains("ADE_MASTER_KEY_FILE"))

            let created = try ServeCommandTests.ade(
                ["token", "create", "Contoso iPads", "--database", database],
                environment: named
            )
            #expect(created.status == 0, "\(created.error)")
            #expect(created.output.contains("BEGIN CERTIFICATE"))
            #expect(FileManager.default.fileExists(atPath: keyFile))

            let listed = try ServeCommandTests.ade(
                ["token", "list", "--format", "json", "--database", database],
                environment: named
            )
            #expect(listed.status == 0, "\(listed.error)")
            #expect(listed.output.contains("\"Contoso iPads\""))

            // A node with another key is refused, naming the key check; nothing is changed.
            let other = try directory.write("other.key", Array((MasterKey.generate().base64 + "\n").utf8))
            let wrong = try ServeCommandTests.ade(
                ["token", "create", "Second", "--database", database],
                environment: ["ADE_MASTER_KEY_FILE": other, "ADE_MASTER_KEY": "", "LANG": "en"]
            )
            #expect(wrong.status != 0)
            #expect(wrong.error.contains("wrong_master_key"), "\(wrong.error)")
            #expect(try PostgresTestServer.psql(database, "SELECT count(*) FROM tokens") == "1")
        }
    }

    @Test func aWrongURLIsNamedWithoutItsPassword() throws {
        let result = try ServeCommandTests.ade(
            ["token", "list", "--database", "postgres://ade:hunter2@localhost/ade?sslmode=sometimes"],
            environment: ["LANG": "en"]
        )
        #expect(result.status != 0)
        #expect(result.error.contains("database_url_invalid") && result.error.contains("sometimes"))
        #expect(!result.error.contains("hunter2"))
    }
}

/// `ade serve` on PostgreSQL while its server stops and starts again.
@Suite(.timeLimit(.minutes(2)))
struct PostgresRestartTests {
    @Test func readyzFollowsTheDatabaseAndTheNodeReconnectsByItself() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("cluster")
            let url = try PostgresTestServer.startCluster(in: folder)
            defer { PostgresTestServer.stopCluster(in: folder) }
            let process = Process()
            process.executableURL = CrashSafetyTests.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--no-sync", "--database", url]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "ADE_MASTER_KEY_FILE": directory.path("ade.key"), "ADE_MASTER_KEY": "",
            ]) { $1 }
            let stdout = Pipe()
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            var printed = ""
            while printed.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+/) == nil {
                let data = stdout.fileHandleForReading.availableData
                guard !data.isEmpty else { break }
                printed += String(decoding: data, as: UTF8.self)
            }
            let base = try #require(printed.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+/).map { String($0.0) })
            #expect(try await ServeCommandTests.get(base + "/readyz").status == 200)

            // The database goes away: the node says so (within its 2 s limit, where the pool alone would wait for a
            // connection past the client's 10 s timeout), and keeps answering /healthz.
            PostgresTestServer.stopCluster(in: folder)
            let down = try await ServeCommandTests.get(base + "/readyz")
            #expect(down.status == 503 && down.body == "database unavailable\n")
            #expect(try await ServeCommandTests.get(base + "/healthz").status == 200)

            // It comes back: the node reconnects by itself, without a restart.
            try PostgresTestServer.startCluster(in: folder)
            var ready = false
            for _ in 0..<30 where !ready {
                ready = try await ServeCommandTests.get(base + "/readyz").status == 200
                if !ready { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(ready, "ready again within 15 s of the database's return")
            process.interrupt()
            process.waitUntilExit()
        }
    }
}
