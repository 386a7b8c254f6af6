import ADECore
import ADESupport
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
        try await ServerFixture.with(defaultProfiles: false) { fixture, client in
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
            let (_, tokenPage) = try await page("/tokens/Healthy")
            #expect(
                tokenPage.contains(
                    #"<a href="/tokens/Healthy/profiles?assignment=needs_attention">Needs attention: 1</a>"#
                ),
                "the counts on the token page"
            )
            let retried = try await post("/tokens/Healthy/profiles/retry", "serial=\(serial)")
            #expect(retried.headers[.location] == "/tokens/Healthy/profiles?notice=retried")
            let record = try await fixture.store.assignments(tokenID: healthy.id, serialNumbers: [serial])[serial]
            #expect(record?.status == .assigned && record?.failures == 0)
            let (_, after) = try await page("/tokens/Healthy/profiles?notice=retried")
            #expect(after.contains("Apple was asked again"))
            #expect(after.contains("Assigned: 1"))

            // The editor: the fields as defined, how many devices move, and a new version at Apple.
            let (editorStatus, editor) = try await page("/tokens/Healthy/profiles/Staff")
            #expect(editorStatus == .ok)
            #expect(editor.contains(#"value="https://mdm.example.com/enroll""#))
            #expect(editor.contains(#"value="Siri" checked"#) && editor.contains(#"value="TOS" checked"#))
            #expect(editor.contains("1 device that ade assigned this profile moves to version 2 when you save."))
            #expect(editor.contains("only after they are erased"))
            let refusedEdit = try await post(
                "/tokens/Healthy/profiles/Staff",
                "name=Staff&url=https%3A%2F%2Fmdm.example.com%2Fenroll&region=usa&supervised=on"
            )
            #expect(refusedEdit.status == .unprocessableContent)
            #expect(String(buffer: refusedEdit.body).contains("is not an ISO 3166 code."))
            let edited = try await post(
                "/tokens/Healthy/profiles/Staff",
                "name=Staff&url=https%3A%2F%2Fmdm.example.com%2Fenroll&department=IT&supervised=on&skip[]=Siri"
            )
            #expect(edited.headers[.location] == "/tokens/Healthy/profiles?notice=profile_edited")
            let version2 = try #require(try await fixture.store.profile(tokenID: healthy.id, named: "Staff"))
            #expect(version2.version == 2 && version2.profile.department == "IT")
            #expect(version2.profile.skipSetupItems == ["Siri"] && version2.profileUUID != stored.profileUUID)
            let (missingStatus, _) = try await page("/tokens/Healthy/profiles/Nope")
            #expect(missingStatus == .notFound)
        }
    }
}
