import ADECore
import ADESQLite
import ADETesting
import ArgumentParser
import DEPSimulator
import Foundation
import ServerToken
import Testing

@testable import ADECommands

/// `ade token create|upload|renew|import|list|show|delete|certificate` and `ade key rotate` on a real SQLite
/// database, against the simulator's ABM.
struct TokenLifecycleCommandTests {
    @Test func theWholeLifeCycle() async throws {
        let configuration = SimulatorConfiguration(servers: [
            .init(name: "Contoso iPads", devices: 5), .init(name: "Macs", devices: 5),
        ])
        try await SimulatorHarness.with(configuration) { harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("data/ade.sqlite")]
                let custom = ["--url", harness.baseURL.absoluteString, "--allow-custom-dep-url"]

                // Without permission, a simulator's URL is refused.
                let refused = await CommandHarness.run(
                    ["token", "create", "iPads", "--url", harness.baseURL.absoluteString] + database
                )
                #expect(refused.error.hasPrefix("error [custom_url_not_allowed]: "))

                let created = await CommandHarness.run(["token", "create", "iPads"] + custom + database)
                #expect(created.status == 0, "\(created.error)")
                #expect(created.output.hasPrefix("-----BEGIN CERTIFICATE-----"))
                #expect(created.error.contains("ade token upload iPads"))
                let keyFile = directory.path("data/ade.sqlite.key")
                #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)

                // ABM: upload the certificate, download the token.
                let uuid = harness.simulator.servers[0].uuid
                try harness.simulator.uploadCertificate(pem: created.output, server: uuid)
                let tokenFile = try directory.write(
                    "ipads.p7m",
                    Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
                )
                let uploaded = await CommandHarness.run(["token", "upload", "iPads", tokenFile] + database)
                #expect(uploaded.status == 0, "\(uploaded.error)")
                #expect(uploaded.output.contains("holds the MDM server “Contoso iPads”"))

                let listed = await CommandHarness.run(["token", "list", "--format", "json"] + database)
                let tokens = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
                #expect(tokens?.count == 1)
                #expect(tokens?.first?["server_uuid"] as? String == uuid)
                for secret in ["CS_", "AS_", "AT_O", "PRIVATE KEY"] {
                    #expect(!listed.output.contains(secret))
                }
                let shown = await CommandHarness.run(["token", "show", "ipads"] + database)
                #expect(shown.output.contains("MDM server:") && shown.output.contains("Contoso iPads"))

                // The master key rotates; everything still opens.
                let rotated = await CommandHarness.run(["key", "rotate"] + database)
                #expect(rotated.status == 0, "\(rotated.error)")
                #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))
                let renewalFile = try directory.write(
                    "renewal.p7m",
                    Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
                )
                let renewed = await CommandHarness.run(["token", "renew", "iPads", renewalFile] + database)
                #expect(renewed.status == 0, "\(renewed.error)")
                #expect(renewed.output.contains("renewed"))

                // Another server's token is refused, naming both.
                try harness.simulator.uploadCertificate(pem: created.output, server: harness.simulator.servers[1].uuid)
                let macsFile = try directory.write(
                    "macs.p7m",
                    Array(try harness.simulator.downloadToken(server: harness.simulator.servers[1].uuid).contents.utf8)
                )
                let other = await CommandHarness.run(["token", "renew", "iPads", macsFile] + database)
                #expect(other.error.hasPrefix("error [different_server]: "))
                #expect(other.error.contains("Contoso iPads") && other.error.contains("Macs"))

                // A wrong master key stops everything, and says so.
                let original = try String(contentsOfFile: keyFile, encoding: .utf8)
                try FileManager.default.removeItem(atPath: keyFile)
                try directory.write("data/ade.sqlite.key", Array((MasterKey.generate().base64 + "\n").utf8))
                let wrong = await CommandHarness.run(["token", "list"] + database)
                #expect(wrong.status == 1)
                #expect(wrong.error.hasPrefix("error [wrong_master_key]: "))
                try FileManager.default.removeItem(atPath: keyFile)
                try directory.write("data/ade.sqlite.key", Array(original.utf8))

                let unconfirmed = await CommandHarness.run(["token", "delete", "iPads"] + database)
                #expect(unconfirmed.error.contains("private keys"))
                #expect(unconfirmed.error.contains("error [confirmation_required]"))
                let deleted = await CommandHarness.run(["token", "delete", "iPads", "--yes"] + database)
                #expect(deleted.status == 0)
                let empty = await CommandHarness.run(["token", "list"] + database)
                #expect(empty.output.contains("No tokens yet"))
            }
        }
    }

    @Test func importAdoptsAnotherToolsKey() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Legacy", devices: 3)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let nanodep = try TokenKeyPair.generate(commonName: "depserver", notValidBefore: Date())
                let uuid = harness.simulator.defaultServerUUID
                try harness.simulator.uploadCertificate(pem: nanodep.certificate.pemRepresentation, server: uuid)
                let file = try directory.write(
                    "legacy.p7m",
                    Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
                )
                let key = try directory.write("key.pem", Array(nanodep.privateKey.pemRepresentation.utf8))
                let result = await CommandHarness.run([
                    "token", "import", "Legacy", "--key", key, file, "--url", harness.baseURL.absoluteString,
                    "--allow-custom-dep-url", "--database", directory.path("ade.sqlite"),
                ])
                #expect(result.status == 0, "\(result.error)")
                #expect(result.output.contains("“Legacy”"))
                let certificate = await CommandHarness.run([
                    "token", "certificate", "Legacy", "--database", directory.path("ade.sqlite"),
                ])
                #expect(try TokenCertificate(pemRepresentation: certificate.output).matches(nanodep.privateKey))
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    @Test func depCallsAStoredTokenByName() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Stored", devices: 4)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("S", harness: harness, directory: directory, database: database)
                let uuid = harness.simulator.defaultServerUUID
                let account = await CommandHarness.run(["dep", "account", "--token", "S"] + database)
                #expect(account.status == 0, "\(account.error)")
                #expect(account.output.contains(uuid))
                let neither = await CommandHarness.run(["dep", "account"] + database)
                #expect(neither.error.hasPrefix("error [credentials_required]: "))
                let unknown = await CommandHarness.run(["dep", "account", "--token", "nobody"] + database)
                #expect(unknown.error.hasPrefix("error [not_found]: "))
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    @Test func syncAndListDevices() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 1234)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                let uuid = harness.simulator.defaultServerUUID

                let synced = await CommandHarness.run(["sync"] + database)
                #expect(synced.status == 0, "\(synced.error)")
                #expect(synced.output.contains("Fleet: full sync, 3 pages, 1234 added"))
                try harness.simulator.churn(server: uuid, added: 5, deleted: 2)
                let delta = await CommandHarness.run(["sync", "Fleet"] + database)
                #expect(
                    delta.output.contains("delta sync") && delta.output.contains("5 added")
                        && delta.output.contains("2 removed")
                )
                #expect(delta.output.contains("1237 devices"))

                let listed = await CommandHarness.run(
                    ["devices", "list", "--format", "json", "--limit", "5000"] + database
                )
                let devices = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
                #expect(devices?.count == 1237)
                let expected = Set(try harness.simulator.serials(server: uuid, limit: 5000))
                #expect(
                    Set(devices?.compactMap { $0["serial_number"] as? String } ?? []) == expected,
                    "the table equals Apple's list"
                )
                let removed = await CommandHarness.run(
                    ["devices", "list", "--include-removed", "--limit", "5000"] + database
                )
                #expect(removed.output.split(separator: "\n").filter { $0.contains("removed on") }.count == 2)

                harness.simulator.publishTerms()
                let failed = await CommandHarness.run(["sync"] + database)
                #expect(failed.status == 1)
                #expect(failed.error.contains("error [terms_not_signed]"))
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    @Test func doctorExitsThreeForAnErrorStateAndClearsWithIt() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Doc", devices: 3)])) { harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                let missing = await CommandHarness.run(["doctor"] + database)
                #expect(missing.status == 1)
                #expect(missing.error.hasPrefix("error [database_missing]: "))

                let created = await CommandHarness.run(
                    ["token", "create", "Doc", "--url", harness.baseURL.absoluteString, "--allow-custom-dep-url"]
                        + database
                )
                let awaiting = await CommandHarness.run(["doctor"] + database)
                #expect(awaiting.status == 0)
                #expect(awaiting.output.contains("Awaiting upload"))

                let uuid = harness.simulator.defaultServerUUID
                try harness.simulator.uploadCertificate(pem: created.output, server: uuid)
                let file = try directory.write(
                    "d.p7m",
                    Array(try harness.simulator.downloadToken(server: uuid).contents.utf8)
                )
                _ = await CommandHarness.run(["token", "upload", "Doc", file] + database)
                _ = await CommandHarness.run(["sync"] + database)
                // Synced devices and no default profile: a warning with its steps, exit 0.
                let noDefault = await CommandHarness.run(["doctor"] + database)
                #expect(noDefault.status == 0)
                #expect(noDefault.output.contains("No default profile"))
                #expect(noDefault.output.contains("1. Create an enrollment profile"))
                #expect(noDefault.output.contains("2. Make it the default"))
                let profile = try directory.write(
                    "p.json",
                    Array(#"{"profile_name":"Staff","url":"https://mdm.example.com/enroll","is_supervised":true}"#.utf8)
                )
                let defined = await CommandHarness.run(
                    ["profile", "create", "--token", "Doc", "--name", "Staff", "--file", profile, "--default"]
                        + database
                )
                #expect(defined.status == 0, "\(defined.error)")
                // Each change from the command line is in the audit log, under the operating-system user.
                let audit = await CommandHarness.run(["audit", "export"] + database)
                let entries = audit.output.split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                #expect(entries.map { $0["action"] as? String } == ["token.create", "token.upload", "profile.create"])
                #expect(
                    entries.allSatisfy {
                        ($0["actor"] as? String)?.hasPrefix("os:") == true && $0["source"] as? String == "cli"
                    }
                )
                #expect((entries[1]["after"] as? [String: String])?["server_name"] != nil)
                let healthy = await CommandHarness.run(["doctor", "--format", "json"] + database)
                #expect(healthy.status == 0)
                let report = try JSONSerialization.jsonObject(with: Data(healthy.output.utf8)) as? [String: Any]
                let first = (report?["tokens"] as? [[String: Any]])?.first
                #expect(first?["state"] as? String == "healthy")
                #expect((first?["days_left"] as? Int).map { $0 >= 364 } == true)

                harness.simulator.publishTerms()
                _ = await CommandHarness.run(["sync"] + database)
                let broken = await CommandHarness.run(["doctor"] + database)
                #expect(broken.status == 3)
                #expect(broken.output.contains("Terms not accepted"))
                #expect(broken.output.contains("accept the new terms"))
                #expect(broken.output.contains("1. Sign in to Apple Business Manager"))
                #expect(broken.output.contains("This clears by itself"))
                // The same report in French: every line from the French catalogue, no English sentence left.
                let french = await CommandHarness.run(["doctor", "--lang", "fr"] + database)
                #expect(french.status == 3)
                #expect(french.output.contains("erreur\tDoc\tConditions non acceptées : Apple a publié"))
                #expect(french.output.contains("1. Connectez-vous à Apple Business Manager"))
                #expect(french.output.contains("Cet état se lève de lui-même"))
                #expect(french.output.contains("1 en erreur, 0 avec avertissement, 0 ok."))
                for english in ["Terms not accepted", "Sign in", "What it affects", "clears by itself", "in error"] {
                    #expect(!french.output.contains(english), "\(english)")
                }
                let japanese = await CommandHarness.run(["doctor", "--lang", "ja", "--format", "json"] + database)
                let entry = try #require(
                    (try JSONSerialization.jsonObject(with: Data(japanese.output.utf8)) as? [String: Any])?["tokens"]
                        as? [[String: Any]]
                ).first
                #expect(entry?["title"] as? String == "規約に未同意")
                #expect((entry?["steps"] as? [String])?.count == 3)
                #expect(entry?["breaks"] as? [String] == ["device_sync", "profile_assignment", "enrollment"])

                harness.simulator.acceptTerms()
                _ = await CommandHarness.run(["sync"] + database)
                #expect(
                    await CommandHarness.run(["doctor"] + database).status == 0,
                    "the state clears once the cause is gone"
                )
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    @Test func syncWaitsForTheHolderNamingIt() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Wait", devices: 3)])) { harness in
            try await TemporaryDirectory.with { directory in
                let path = directory.path("ade.sqlite")
                let database = ["--database", path]
                try await CommandHarness.enroll("W", harness: harness, directory: directory, database: database)
                // Another live process (this one) holds the lease for 3 seconds.
                let store = try SQLiteStore(path: path)
                let token = try #require(try await store.token(named: "W"))
                _ = try await store.acquireLease(
                    SyncLease(
                        tokenID: token.id,
                        holder: "ade-serve-1",
                        host: ProcessInfo.processInfo.hostName,
                        processID: ProcessInfo.processInfo.processIdentifier,
                        expiresAt: Date().addingTimeInterval(3)
                    ),
                    now: Date(),
                    replacing: nil
                )
                let waited = await CommandHarness.run(["sync", "W"] + database)
                #expect(waited.status == 0, "\(waited.error)")
                #expect(waited.error.contains("ade-serve-1 is syncing this token"))
                #expect(waited.output.contains("W: full sync"))
                _ = try await store.acquireLease(
                    SyncLease(
                        tokenID: token.id,
                        holder: "ade-serve-2",
                        host: ProcessInfo.processInfo.hostName,
                        processID: ProcessInfo.processInfo.processIdentifier,
                        expiresAt: Date().addingTimeInterval(60)
                    ),
                    now: Date(),
                    replacing: nil
                )
                let gaveUp = await CommandHarness.run(["sync", "W", "--wait", "0"] + database)
                #expect(gaveUp.status == 1)
                #expect(gaveUp.error.contains("error [lease_held]") && gaveUp.error.contains("ade-serve-2"))
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    @Test func theHealthThresholdsComeFromFlagsThenTheEnvironment() throws {
        let defaults = try HealthPolicyOptions.parse([]).policy([:])
        #expect(defaults == HealthPolicy())
        let environment = try HealthPolicyOptions.parse([]).policy([
            "ADE_FAILURES_BEFORE_ALERT": "5", "ADE_SYNC_STALLED_HOURS": "48", "ADE_ASSIGNMENT_FAILURE_PERCENT": "20",
        ])
        #expect(
            environment
                == HealthPolicy(failuresBeforeAlert: 5, syncStalledAfter: 48 * 3600, assignmentFailureShare: 0.2)
        )
        let flags = try HealthPolicyOptions.parse(["--sync-stalled-hours", "6"]).policy(["ADE_SYNC_STALLED_HOURS": "48"]
        )
        #expect(flags.syncStalledAfter == 6 * 3600, "a flag wins over the environment")
        #expect(throws: CommandError(.settingInvalid, parameters: [:])) {
            try HealthPolicyOptions.parse(["--assignment-failure-percent", "0"]).policy([:])
        }
        #expect(throws: CommandError(.settingInvalid, parameters: [:])) {
            try HealthPolicyOptions.parse([]).policy(["ADE_SYNC_STALLED_HOURS": "x"])
        }
    }
}

extension TokenLifecycleCommandTests {
    /// Apple's same-cursor fault: `ade sync --full` stops after the repeated cursor, says the run is incomplete and
    /// exits 1; `ade doctor` shows the state with its remedy.
    @Test func aRepeatedCursorMakesSyncFailAsIncomplete() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 2500)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                var faults = SimulatedFaults()
                faults.sameCursorBug = true
                try harness.simulator.setFaults(faults, server: harness.simulator.defaultServerUUID)
                let synced = await CommandHarness.run(["sync", "--full", "Fleet"] + database)
                #expect(synced.status == 1)
                #expect(synced.error.contains("error [same_cursor]"), "\(synced.error)")
                #expect(!synced.output.contains("full sync"), "no success summary")
                let doctor = await CommandHarness.run(["doctor"] + database)
                #expect(doctor.output.contains("Sync incomplete"), "\(doctor.output)")
                #expect(doctor.output.contains("ade sync Fleet --full"))
            }
        }
    }
}

extension TokenLifecycleCommandTests {
    /// `ade devices list` prints every device by default, says on standard error what `--limit` left out, refuses
    /// `--limit 0`, and writes CSV with a header for a spreadsheet.
    @Test func theDeviceListPrintsEveryDeviceOrSaysWhatItLeftOut() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 2345)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                #expect(await CommandHarness.run(["sync"] + database).status == 0)

                let all = await CommandHarness.run(["devices", "list"] + database)
                let lines = all.output.split(separator: "\n")
                #expect(lines.count == 2346, "a header and every device")
                #expect(lines.first?.hasPrefix("SERIAL\tFAMILY\tMODEL") == true)
                #expect(all.error.isEmpty)

                let limited = await CommandHarness.run(["devices", "list", "--limit", "10"] + database)
                #expect(limited.output.split(separator: "\n").count == 11)
                #expect(limited.error.contains("2335 more devices"), "\(limited.error)")
                #expect(limited.error.contains("--limit"))

                let zero = await CommandHarness.run(["devices", "list", "--limit", "0"] + database)
                #expect(zero.status == 1)
                #expect(zero.error.contains("error [setting_invalid]"), "\(zero.error)")
                #expect(!zero.output.contains("No devices"))

                let csv = await CommandHarness.run(["devices", "list", "--format", "csv"] + database)
                let rows = csv.output.split(separator: "\n")
                #expect(rows.count == 2346)
                let header = DeviceListWriter.csvColumns.joined(separator: ",")
                #expect(rows.first.map(String.init) == header)
                #expect(header.hasPrefix("token,serial_number,device_family,model,profile_status"))
                #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("Fleet,") })

                let json = await CommandHarness.run(["devices", "list", "--format", "json"] + database)
                let objects = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
                #expect(objects?.count == 2345)
            }
        }
    }

    @Test func csvFieldsAreQuotedAndFormulasDefused() {
        #expect(
            DeviceListWriter.csvLine(["a", "b,c", "d\"e", "=SUM(A1)", "line\nbreak"])
                == #"a,"b,c","d""e","'=SUM(A1)","line"# + "\nbreak\""
        )
    }
}
