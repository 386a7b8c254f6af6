import ADECore
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// The console's profiles page: the list, a new profile with Apple's rules, the default, assignment and "retry now".
@Suite(.timeLimit(.minutes(2)))
struct ConsoleProfileTests {
    @Test func newProfileDefaultAndRetry() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            func post(_ uri: String, _ fields: String, csrf: String? = nil) async throws -> TestResponse {
                try await client.execute(
                    uri: uri,
                    method: .post,
                    headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf=\(csrf ?? session.csrf)&" + fields)
                )
            }
            func page(_ uri: String) async throws -> (HTTPResponse.Status, String) {
                let response = try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie])
                return (response.status, String(buffer: response.body))
            }
            let (status, empty) = try await page("/tokens/Healthy/profiles")
            #expect(status == .ok)
            #expect(empty.contains("No profile yet."))
            #expect(empty.contains(#"value="Siri""#), "the Setup Assistant panes as a checklist")
            let (_, token) = try await page("/tokens/Healthy")
            #expect(token.contains(#"href="/tokens/Healthy/profiles""#))

            let forged = try await post(
                "/tokens/Healthy/profiles",
                "name=Staff&url=https%3A%2F%2Fm.example.com",
                csrf: "x"
            )
            #expect(forged.status == .forbidden)
            let refused = try await post(
                "/tokens/Healthy/profiles",
                "name=Staff&url=https%3A%2F%2Fm.example.com&supervised=on&language=english"
            )
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("is not an ISO 639 code."))
            #expect(String(buffer: refused.body).contains(#"value="english""#), "the form keeps what was typed")
            #expect(try await fixture.store.profiles(tokenID: 1).isEmpty)

            let created = try await post(
                "/tokens/Healthy/profiles",
                "name=Staff&url=https%3A%2F%2Fmdm.example.com%2Fenroll&supervised=on&makeDefault=on&skip[]=Siri&skip[]=TOS"
            )
            #expect(created.status == .seeOther || created.status == .found)
            #expect(created.headers[.location] == "/tokens/Healthy/profiles?notice=profile_created")
            let healthy = try #require(try await fixture.store.token(named: "Healthy"))
            let stored = try #require(try await fixture.store.profile(tokenID: healthy.id, named: "Staff"))
            #expect(stored.profile.skipSetupItems == ["Siri", "TOS"] && stored.profile.isSupervised == true)
            #expect(try await fixture.store.defaultProfileIDs(tokenID: healthy.id) == [nil: stored.id])

            let iPad = try await post("/tokens/Healthy/profiles/default", "profile=Staff&family=iPad")
            #expect(iPad.headers[.location] == "/tokens/Healthy/profiles?notice=default_set")
            #expect(
                try await fixture.store.defaultProfileIDs(tokenID: healthy.id) == [nil: stored.id, .iPad: stored.id]
            )

            // A device Apple refused: listed with what it means, and retried now.
            let serial = try #require(
                try await fixture.store.devices(tokenID: healthy.id, after: nil, limit: 1, includeRemoved: false).first
            ).serialNumber
            try await fixture.store.saveAssignments([
                DeviceAssignment(
                    tokenID: healthy.id,
                    serialNumber: serial,
                    status: .needsAttention,
                    profileUUID: stored.profileUUID,
                    failures: 3,
                    lastResult: "FAILED",
                    updatedAt: Date()
                )
            ])
            let (_, attention) = try await page("/tokens/Healthy/profiles?assignment=needs_attention")
            #expect(attention.contains("Needs attention: 1"))
            #expect(attention.contains(serial) && attention.contains("Apple refused the profile several times"))
            let retried = try await post("/tokens/Healthy/profiles/retry", "serial=\(serial)")
            #expect(retried.headers[.location] == "/tokens/Healthy/profiles?notice=retried")
            let record = try await fixture.store.assignments(tokenID: healthy.id, serialNumbers: [serial])[serial]
            #expect(record?.status == .assigned && record?.failures == 0)
            let (_, after) = try await page("/tokens/Healthy/profiles?notice=retried")
            #expect(after.contains("Apple was asked again"))
            #expect(after.contains("Assigned: 1"))
        }
    }
}
