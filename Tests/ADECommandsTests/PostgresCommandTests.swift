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
