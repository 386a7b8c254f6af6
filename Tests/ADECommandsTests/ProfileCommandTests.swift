import ADETesting
import DEPSimulator
import Foundation
import Testing

/// `ade profile …` and `ade devices list --assignment` against the simulator, through the commands' own code.
struct ProfileCommandTests {
    @Test func createDefaultSyncEditAssignRemove() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 30)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let database = ["--database", directory.path("ade.sqlite")]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                let uuid = harness.simulator.defaultServerUUID

                // Every problem named before anything is sent; nothing stored.
                let bad = try directory.write(
                    "bad.json",
                    Array(#"{"profile_name": "", "url": "mdm.example.com", "language": "english"}"#.utf8)
                )
                let refused = await CommandHarness.run(
                    ["profile", "create", "--token", "Fleet", "--name", "Staff", "--file", bad] + database
                )
                #expect(refused.status == 1)
                #expect(refused.error.contains("error [url_invalid]"), "\(refused.error)")
                #expect(refused.error.contains("error [language_invalid]"))
                #expect(refused.error.contains("error [name_required]"))
                let empty = await CommandHarness.run(["profile", "list", "--token", "Fleet"] + database)
                #expect(empty.output.contains("has no profiles"))

                let good = try directory.write(
                    "staff.json",
                    Array(
                        #"{"profile_name": "Staff", "url": "https://mdm.example.com/enroll", "is_supervised": true}"#
                            .utf8
                    )
                )
                let created = await CommandHarness.run(
                    ["profile", "create", "--token", "Fleet", "--name", "Staff", "--file", good, "--default"] + database
                )
                #expect(created.status == 0, "\(created.error)")
                #expect(created.output.contains("Defined Staff at Apple (version 1"))
                #expect(created.output.contains("Staff is now the default profile of Fleet for every device."))

                // The next sync assigns the default to every device.
                let synced = await CommandHarness.run(["sync", "Fleet"] + database)
                #expect(synced.status == 0, "\(synced.error)")
                let listed = await CommandHarness.run(
                    ["profile", "list", "--token", "Fleet", "--format", "json"] + database
                )
                let profiles = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
                #expect(profiles?.first?["devices"] as? Int == 30)
                #expect(profiles?.first?["default_for"] as? [String] == ["all"])
                #expect((profiles?.first?["profile"] as? [String: Any])?["profile_name"] as? String == "Staff")

                // A removal sticks; the device shows under --assignment excluded.
                let serial = try harness.simulator.serials(server: uuid, limit: 1)[0]
                let removed = await CommandHarness.run(["profile", "remove", "--token", "Fleet", serial] + database)
                #expect(removed.output.contains("removed from 1 of 1 devices"), "\(removed.output)\(removed.error)")
                // Apple's details now, before any sync: the removal shows at once.
                let refreshed = await CommandHarness.run(
                    ["devices", "refresh", "--token", "Fleet", serial, "C02NOTHERE01", "--format", "json"] + database
                )
                let answer = try JSONSerialization.jsonObject(with: Data(refreshed.output.utf8)) as? [String: Any]
                #expect(
                    answer?["devices"] as? [String: String] == [serial: "SUCCESS", "C02NOTHERE01": "NOT_FOUND"],
                    "\(refreshed.output)\(refreshed.error)"
                )
                #expect(answer?["modified"] as? Int == 1)
                _ = await CommandHarness.run(["sync", "Fleet"] + database)
                // The token's history: healthy since its first sync.
                let history = await CommandHarness.run(["token", "history", "Fleet", "--format", "json"] + database)
                let changes = try JSONSerialization.jsonObject(with: Data(history.output.utf8)) as? [[String: Any]]
                #expect(changes?.map { $0["to"] as? String } == ["healthy"], "\(history.output)\(history.error)")
                #expect(changes?.first?["from"] is NSNull)
                let text = await CommandHarness.run(["token", "history", "Fleet"] + database)
                #expect(text.output.contains("— → Healthy"))
                let missing = await CommandHarness.run(["token", "history", "Nope"] + database)
                #expect(missing.status == 1)
                let excluded = await CommandHarness.run(
                    ["devices", "list", "--token", "Fleet", "--assignment", "excluded", "--format", "json"] + database
                )
                let rows = try JSONSerialization.jsonObject(with: Data(excluded.output.utf8)) as? [[String: Any]]
                #expect(rows?.map { $0["serial_number"] as? String } == [serial])
                #expect((rows?.first?["assignment"] as? [String: Any])?["status"] as? String == "excluded")
                let none = await CommandHarness.run(
                    ["devices", "list", "--token", "Fleet", "--assignment", "none"] + database
                )
                #expect(none.output.split(separator: "\n").count == 2, "a header and the one device")
                #expect(none.output.hasPrefix("SERIAL\t") && none.output.contains(serial))

                // An edit moves the devices ade assigned (29) to the new definition.
                let edited = try directory.write(
                    "staff2.json",
                    Array(
                        #"{"profile_name": "Staff", "url": "https://mdm.example.com/enroll", "department": "IT"}"#.utf8
                    )
                )
                let edit = await CommandHarness.run(
                    ["profile", "edit", "--token", "Fleet", "Staff", "--file", edited] + database
                )
                #expect(edit.status == 0, "\(edit.error)")
                #expect(edit.error.contains("29 devices assigned Staff move to its new definition."))
                #expect(edit.error.contains("only after they are erased"))
                #expect(edit.output.contains("Defined version 2 of Staff at Apple: 29 devices moved"))

                // The admin assigns the removed device again.
                let assigned = await CommandHarness.run(
                    ["profile", "assign", "--token", "Fleet", "Staff", serial] + database
                )
                #expect(assigned.output.contains("1 of 1 devices were assigned Staff."), "\(assigned.error)")
                let defaults = await CommandHarness.run(
                    ["profile", "default", "--token", "Fleet", "--format", "json"] + database
                )
                #expect(defaults.output.contains(#""all" : "Staff""#))
                let family = await CommandHarness.run(
                    ["profile", "default", "--token", "Fleet", "Staff", "--family", "toaster"] + database
                )
                #expect(family.error.contains("error [family_invalid]"))
                let unconfirmed = await CommandHarness.run(
                    ["profile", "delete", "--token", "Fleet", "Staff"] + database
                )
                #expect(unconfirmed.status == 1 && unconfirmed.error.contains("confirmation_required"))
                let deleted = await CommandHarness.run(
                    ["profile", "delete", "--token", "Fleet", "Staff", "--yes"] + database
                )
                #expect(deleted.status == 0)
                let gone = await CommandHarness.run(["profile", "show", "--token", "Fleet", "Staff"] + database)
                #expect(gone.error.contains("error [not_found]: The token Fleet has no profile named Staff."))
            }
        }
    }
}
