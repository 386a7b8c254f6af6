import ADETesting
import Foundation
import Testing

/// `ade webhook …`: the secret shown once, URLs masked, deletion confirmed.
struct WebhookCommandTests {
    @Test func addListDeliveriesDelete() async throws {
        try await TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let secretURL = "https://hooks.example.com/services/T000/B000/XXXXSECRET"
            let added = await CommandHarness.run(["webhook", "add", "SIEM", secretURL] + database)
            #expect(added.status == 0, "\(added.error)")
            #expect(added.output.hasPrefix("whsec_") && added.output.count > 40)
            #expect(added.error.contains("Webhook SIEM (https://hooks.example.com/…) added."))
            #expect(!added.error.contains("XXXXSECRET"))
            let duplicate = await CommandHarness.run(["webhook", "add", "siem", secretURL] + database)
            #expect(duplicate.status == 1 && duplicate.error.contains("error [exists]"), "\(duplicate.error)")
            let bad = await CommandHarness.run(
                ["webhook", "add", "Bad", "ftp://files.example.com/x?token=1"] + database
            )
            #expect(bad.status == 1 && bad.error.contains("url_invalid") && !bad.error.contains("token=1"))

            let listed = await CommandHarness.run(["webhook", "list", "--format", "json"] + database)
            #expect(
                listed.output.contains(#""url" : "https:\/\/hooks.example.com\/…""#)
                    || listed.output.contains("https://hooks.example.com/…")
            )
            #expect(!listed.output.contains("XXXXSECRET") && !listed.output.contains("whsec_"))
            let log = await CommandHarness.run(["webhook", "deliveries", "SIEM"] + database)
            #expect(log.status == 0 && log.output == "No delivery attempt yet.\n")

            // A ping to an address the policy refuses, and to a port nothing listens on.
            _ = await CommandHarness.run(["webhook", "add", "Local", "http://127.0.0.1:9/hook"] + database)
            let refused = await CommandHarness.run(["webhook", "test", "Local"] + database)
            #expect(refused.status == 1 && refused.error.contains("error [address_refused]"), "\(refused.error)")
            _ = await CommandHarness.run(
                ["webhook", "add", "Closed", "http://127.0.0.1:9/hook", "--allow-private-network"] + database
            )
            let closed = await CommandHarness.run(["webhook", "test", "Closed"] + database)
            #expect(closed.status == 1 && closed.error.contains("error [unreachable]"), "\(closed.error)")

            let unconfirmed = await CommandHarness.run(["webhook", "delete", "SIEM"] + database)
            #expect(unconfirmed.status == 1)
            let deleted = await CommandHarness.run(["webhook", "delete", "SIEM", "--yes"] + database)
            #expect(deleted.status == 0)
            let missing = await CommandHarness.run(["webhook", "delete", "SIEM", "--yes"] + database)
            #expect(missing.status == 1 && missing.error.contains("There is no webhook “SIEM”."), "\(missing.error)")
            let remaining = await CommandHarness.run(["webhook", "list"] + database)
            #expect(!remaining.output.contains("SIEM") && remaining.output.contains("Closed"))
        }
    }
}
