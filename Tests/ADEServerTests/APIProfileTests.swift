import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// Profiles, defaults, assignment and removal through `/api/v1`, against the simulator.
@Suite(.timeLimit(.minutes(2)))
struct APIProfileTests {
    @Test func profilesDefaultsAssignmentsAndRemoval() async throws {
        try await ServerFixture.with(defaultProfiles: false) { fixture, client in
            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let (_, reader) = try await fixture.access.createAPIToken(name: "dashboard", scope: .read)
            let auth: HTTPFields = [.authorization: "Bearer \(writer)", .contentType: "application/json"]
            let readOnly: HTTPFields = [.authorization: "Bearer \(reader)", .contentType: "application/json"]
            func call(
                _ uri: String,
                _ method: HTTPRequest.Method = .get,
                _ body: String? = nil,
                headers: HTTPFields? = nil
            )
                async throws -> TestResponse
            {
                try await client.execute(
                    uri: uri,
                    method: method,
                    headers: headers ?? auth,
                    body: body.map { ByteBuffer(string: $0) }
                )
            }
            let staff =
                #"{"name": "Staff", "default": true, "profile": {"profile_name": "Staff", "url": "https://mdm.example.com/enroll"}}"#

            let anonymous = try await call("/api/v1/tokens/Healthy/profiles", headers: [:])
            #expect(anonymous.status == .unauthorized)
            let readOnlyCreate = try await call("/api/v1/tokens/Healthy/profiles", .post, staff, headers: readOnly)
            #expect(readOnlyCreate.status == .forbidden)
            #expect(try RouterTests.errorCode(readOnlyCreate) == "read_only_token")

            let refused = try await call(
                "/api/v1/tokens/Healthy/profiles",
                .post,
                #"{"name": "Kiosk", "profile": {"profile_name": "Kiosk", "url": "https://m.example.com", "is_mdm_removable": false}}"#
            )
            #expect(refused.status == .unprocessableContent)
            #expect(try RouterTests.errorCode(refused) == "removable_needs_supervision")
            let malformed = try await call("/api/v1/tokens/Healthy/profiles", .post, #"{"name": "X"}"#)
            #expect(malformed.status == .badRequest)

            let created = try await call("/api/v1/tokens/Healthy/profiles", .post, staff)
            #expect(created.status == .created)
            let body = try RouterTests.json(created)
            #expect(body["version"] as? Int == 1 && body["default_for"] as? [String] == ["all"])
            #expect((body["profile"] as? [String: Any])?["url"] as? String == "https://mdm.example.com/enroll")
            let again = try await call("/api/v1/tokens/Healthy/profiles", .post, staff)
            #expect(again.status == .conflict)
            #expect(try RouterTests.errorCode(again) == "exists")
            let list = try RouterTests.json(try await call("/api/v1/tokens/Healthy/profiles", headers: readOnly))
            #expect((list["profiles"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Staff"])

            // Every device of the token, now.
            let assigned = try await call("/api/v1/tokens/Healthy/profiles/Staff/assign", .post, #"{"all": true}"#)
            #expect(assigned.status == .ok)
            let records = try RouterTests.json(assigned)["assignments"] as? [[String: Any]]
            #expect(records?.count == 1200 && records?.allSatisfy { $0["status"] as? String == "assigned" } == true)
            let page = try RouterTests.json(
                try await call("/api/v1/tokens/Healthy/assignments?status=assigned&limit=1000", headers: readOnly)
            )
            #expect((page["assignments"] as? [Any])?.count == 1000 && page["next_after"] != nil)
            let badStatus = try await call("/api/v1/tokens/Healthy/assignments?status=lost")
            #expect(badStatus.status == .badRequest)

            // An admin's removal: excluded from automatic assignment.
            let serial = try #require(records?.first?["serial_number"] as? String)
            let removed = try RouterTests.json(
                try await call("/api/v1/tokens/Healthy/remove-profile", .post, #"{"serials": ["\#(serial)"]}"#)
            )
            #expect((removed["devices"] as? [String: String]) == [serial: "SUCCESS"])
            let excluded = try RouterTests.json(try await call("/api/v1/tokens/Healthy/assignments?status=excluded"))
            #expect((excluded["assignments"] as? [[String: Any]])?.map { $0["serial_number"] as? String } == [serial])

            // An edit moves the 1,199 devices still on the old definition.
            let edit = try await call(
                "/api/v1/tokens/Healthy/profiles/staff",
                .put,
                #"{"profile": {"profile_name": "Staff", "url": "https://mdm.example.com/enroll", "department": "IT"}}"#
            )
            #expect(edit.status == .ok)
            let edited = try RouterTests.json(edit)
            #expect(edited["moved"] as? Int == 1199 && edited["cooling_down"] as? Int == 0)
            #expect((edited["profile"] as? [String: Any])?["version"] as? Int == 2)

            // Defaults by family.
            let iPad = try RouterTests.json(
                try await call("/api/v1/tokens/Healthy/default-profiles/ipad", .put, #"{"profile": "Staff"}"#)
            )
            #expect((iPad["defaults"] as? [String: String]) == ["all": "Staff", "iPad": "Staff"])
            let toaster = try await call(
                "/api/v1/tokens/Healthy/default-profiles/toaster",
                .put,
                #"{"profile": "Staff"}"#
            )
            #expect(toaster.status == .unprocessableContent)
            #expect(try RouterTests.errorCode(toaster) == "family_invalid")
            let cleared = try RouterTests.json(
                try await call("/api/v1/tokens/Healthy/default-profiles/all", .put, #"{"profile": null}"#)
            )
            #expect((cleared["defaults"] as? [String: String]) == ["iPad": "Staff"])
            let defaults = try RouterTests.json(try await call("/api/v1/tokens/Healthy/default-profiles"))
            #expect((defaults["defaults"] as? [String: String]) == ["iPad": "Staff"])

            let deleted = try await call("/api/v1/tokens/Healthy/profiles/Staff", .delete)
            #expect(deleted.status == .noContent)
            let gone = try await call("/api/v1/tokens/Healthy/profiles/Staff")
            #expect(gone.status == .notFound)
            #expect(try RouterTests.errorCode(gone) == "not_found")
            let unknownToken = try await call("/api/v1/tokens/Nobody/profiles")
            #expect(unknownToken.status == .notFound)
        }
    }
}
