import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import ServerToken
import Testing

/// The whole path an admin takes, through the commands: a key pair, the certificate uploaded to (simulated) ABM, the
/// token downloaded, decrypted, and used with `ade dep`.
struct DEPCommandTests {
    @Test func fromKeyPairToAppleAnswers() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Contoso", devices: 12)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                #expect(await CommandHarness.run(["token", "keypair", "--out", directory.path("keys")]).status == 0)
                let uuid = harness.simulator.defaultServerUUID
                try harness.simulator.uploadCertificate(
                    pem: String(contentsOfFile: directory.path("keys/certificate.pem"), encoding: .utf8),
                    server: uuid
                )
                let token = try harness.simulator.downloadToken(server: uuid)
                let tokenPath = try directory.write(token.fileName, Array(token.contents.utf8))
                let decrypted = await CommandHarness.run([
                    "token", "decrypt", "--key", directory.path("keys/private-key.pem"), tokenPath,
                ])
                #expect(decrypted.status == 0, "\(decrypted.error)")
                let credentials = try directory.write("credentials.json", Array(decrypted.output.utf8))
                let connection = ["--credentials", credentials, "--url", harness.baseURL.absoluteString]

                let account = await CommandHarness.run(["dep", "account"] + connection)
                #expect(account.status == 0, "\(account.error)")
                let json = try JSONSerialization.jsonObject(with: Data(account.output.utf8)) as? [String: Any]
                #expect(json?["server_uuid"] as? String == uuid)
                #expect(json?["server_name"] as? String == "Contoso")

                let fetch = await CommandHarness.run(["dep", "fetch", "--limit", "5"] + connection)
                let page = try JSONCoding.decoder().decode(DevicePage.self, from: Data(fetch.output.utf8))
                #expect(page.devices.count == 5)
                #expect(page.moreToFollow)
                let sync = await CommandHarness.run(
                    ["dep", "fetch", "--cursor", try #require(page.cursor)] + connection
                )
                #expect(sync.status == 0)

                harness.simulator.publishTerms()
                let refused = await CommandHarness.run(["dep", "account"] + connection)
                #expect(refused.status == 1)
                #expect(refused.output.isEmpty)
                #expect(refused.error.hasPrefix("error [terms_not_signed]: "))
                #expect(refused.error.split(separator: "\n").count == 1)
                #expect(!refused.error.contains("CS_") && !refused.error.contains("AS_"))
            }
        }
    }

    @Test func disownListsTheDevicesAndNeedsItsFlag() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "D", devices: 5)])) { harness in
            try await TemporaryDirectory.with { directory in
                let credentials = try directory.write(
                    "credentials.json",
                    Array(try harness.simulator.credentials(server: harness.simulator.defaultServerUUID).tokenJSON.utf8)
                )
                let serials = try harness.simulator.serials(server: harness.simulator.defaultServerUUID, limit: 2)
                let connection = ["--credentials", credentials, "--url", harness.baseURL.absoluteString]
                let refused = await CommandHarness.run(["dep", "disown"] + serials + connection)
                #expect(refused.status == 1)
                #expect(refused.error.contains(serials[0]) && refused.error.contains(serials[1]))
                #expect(refused.error.contains("permanently"))
                #expect(refused.error.contains("error [confirmation_required]"))
                #expect(
                    try harness.simulator.server(harness.simulator.defaultServerUUID).devices == 5,
                    "nothing was sent"
                )

                let done = await CommandHarness.run(
                    ["dep", "disown"] + serials + connection + ["--yes-release-permanently"]
                )
                #expect(done.status == 0)
                #expect(done.output.contains("SUCCESS"))
                #expect(try harness.simulator.server(harness.simulator.defaultServerUUID).devices == 3)
            }
        }
    }

    @Test func aDisownAsAStoredTokenIsAudited() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "D", devices: 5)])) { harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                let serials = try harness.simulator.serials(server: harness.simulator.defaultServerUUID, limit: 2)
                let done = await CommandHarness.run(
                    ["dep", "disown"] + serials + ["--token", "Fleet", "--yes-release-permanently"] + database
                )
                #expect(done.status == 0, "\(done.error)")
                _ = await CommandHarness.run(["dep", "account", "--token", "Fleet"] + database)
                let audit = await CommandHarness.run(["audit", "export"] + database)
                let entries = audit.output.split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                #expect(entries.map { $0["action"] as? String } == ["token.create", "token.upload", "dep.call"])
                let after = entries.last?["after"] as? [String: String]
                #expect(after?["path"] == "/devices/disown" && after?["devices"] == serials.joined(separator: ","))
                #expect(entries.last?["target"] as? String == "Fleet")
            }
        }
    }

    @Test func badConnectionOptionsAreClearErrors() async throws {
        try await TemporaryDirectory.with { directory in
            let garbage = try directory.write("garbage.json", Array("{\"hello\": 1}".utf8))
            let result = await CommandHarness.run(["dep", "account", "--credentials", garbage])
            #expect(result.error.hasPrefix("error [credentials_invalid]: "))
            let credentials = try directory.write("c.json", Array(Fixtures.syntheticCredentials.tokenJSON.utf8))
            let url = await CommandHarness.run(["dep", "account", "--credentials", credentials, "--url", "ftp://x"])
            #expect(url.error.hasPrefix("error [url_invalid]: "))
            let profile = try directory.write("p.json", Array(#"{"url":"https://m.example"}"#.utf8))
            let invalid = await CommandHarness.run([
                "dep", "define-profile", "--file", profile, "--credentials", credentials,
            ])
            #expect(invalid.error.hasPrefix("error [profile_name_required]: "), "refused before anything is sent")
        }
    }
}
