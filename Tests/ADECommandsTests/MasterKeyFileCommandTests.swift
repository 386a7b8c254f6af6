import ADETesting
import Foundation
import Testing

/// `ADE_MASTER_KEY_FILE`: the key file kept away from the database, as an admin whose database and key live on
/// different volumes sets it.
@Suite(.timeLimit(.minutes(2)))
struct MasterKeyFileCommandTests {
    @Test func theKeyFileNamedByTheEnvironmentIsCreatedAndRequired() throws {
        try TemporaryDirectory.with { directory in
            let database = directory.url.appendingPathComponent("data/ade.sqlite").path
            let keys = directory.url.appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: directory.url.appendingPathComponent("data"),
                withIntermediateDirectories: true
            )
            let keyFile = keys.appendingPathComponent("ade.key").path
            let elsewhere = ["ADE_MASTER_KEY_FILE": keyFile, "ADE_MASTER_KEY": ""]

            // A key pair is a secret: the first one creates the key file where the variable says, not beside the
            // database.
            let created = try ServeCommandTests.ade(
                ["token", "create", "iPads", "--database", database],
                environment: elsewhere
            )
            #expect(created.status == 0, "\(created.error)")
            #expect(FileManager.default.fileExists(atPath: keyFile))
            #expect(!FileManager.default.fileExists(atPath: database + ".key"))
            let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // Without the variable, the key beside the database is missing: refused, naming where it looked, and
            // no key file is made there.
            let refused = try ServeCommandTests.ade(
                ["token", "list", "--database", database],
                environment: ["ADE_MASTER_KEY_FILE": "", "ADE_MASTER_KEY": "", "LANG": "en"]
            )
            #expect(refused.status != 0)
            #expect(refused.error.contains(database + ".key"), "\(refused.error)")
            #expect(refused.error.contains("ADE_MASTER_KEY_FILE"), "\(refused.error)")
            #expect(!FileManager.default.fileExists(atPath: database + ".key"))

            let listed = try ServeCommandTests.ade(["token", "list", "--database", database], environment: elsewhere)
            #expect(listed.status == 0, "\(listed.error)")
            #expect(listed.output.contains("iPads"))
        }
    }
}
