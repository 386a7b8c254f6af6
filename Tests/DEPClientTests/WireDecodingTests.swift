import ADESupport
import ADETesting
import DEPClient
import Foundation
import Testing

/// The wire types decode every captured answer, tolerate unknown fields and missing optional ones.
struct WireDecodingTests {
    private func decode<T: Decodable>(_ type: T.Type, _ fixture: String) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(Fixtures.bytes("dep-responses/\(fixture)")))
    }

    @Test func account() throws {
        let account = try decode(AccountDetail.self, "account_response.json")
        #expect(account.serverName == "dev")
        #expect(account.serverUUID == "6666ED66666666666666666666666666")
        #expect(account.orgType == "org")
        #expect(account.orgVersion == "v2")
        #expect(account.limit(for: "/server/devices") == .init(default: 1000, maximum: 5000))
        #expect(account.urls?.contains { $0.uri == "/roster/class" } == true)
    }

    @Test func fetchPage() throws {
        let page = try decode(DevicePage.self, "device_response.json")
        #expect(page.devices.count == 1)
        let device = try #require(page.devices.first)
        #expect(device.serialNumber == "C02T0HL0GGC0")
        #expect(device.deviceFamily == .mac)
        #expect(device.os == .macOS)
        #expect(device.profileStatus == .assigned)
        #expect(device.profileAssignTime.map(Timestamp.format) == "2018-09-08T16:49:09Z")
        #expect(!page.moreToFollow)
        #expect(page.cursor?.hasPrefix("MDow") == true)
    }

    @Test func emptySyncPage() throws {
        let page = try decode(DevicePage.self, "empty_sync_response.json")
        #expect(page.devices.isEmpty)
        #expect(page.fetchedUntil.map(Timestamp.format) == "2018-09-08T17:41:29Z")
    }

    @Test func deviceDetails() throws {
        let details = try decode(DeviceDetailsResponse.self, "device_details_response.json")
        #expect(details.devices["C02T0HL0GGC0"]?.responseStatus == .success)
        #expect(details.devices["C02T0HL0GGC0"]?.color == "SPACE GRAY")
    }

    @Test func profile() throws {
        let profile = try decode(Profile.self, "fetch_profile_response.json")
        #expect(profile.profileUUID == "C1F123098EB5074580041E69883004C3")
        #expect(profile.skipSetupItems == ["AppleID", "Android"])
        #expect(profile.isMDMRemovable == true)
        #expect(profile.awaitDeviceConfigured == true)
    }

    @Test func unknownFieldsAndValuesAndMissingOptionals() throws {
        let json = #"""
            {"devices":[{"serial_number":"X1","device_family":"HomePod","profile_status":"quarantined",
            "future_field":{"nested":[1,2]},"op_type":"added","op_date":"2026-01-01T00:00:00.250Z"}],
            "more_to_follow":true,"cursor":"c","fetched_until":"0001-01-01T00:00:00Z","new_top_level":1}
            """#
        let page = try JSONCoding.decoder().decode(DevicePage.self, from: Data(json.utf8))
        let device = try #require(page.devices.first)
        #expect(device.deviceFamily?.rawValue == "HomePod")
        #expect(device.profileStatus?.rawValue == "quarantined")
        #expect(device.model == nil)
        #expect(device.opDate?.timeIntervalSince1970 == 1_767_225_600.25)
        #expect(page.fetchedUntil != nil)
        let empty = try JSONCoding.decoder().decode(DevicePage.self, from: Data("{}".utf8))
        #expect(empty.devices.isEmpty && !empty.moreToFollow && empty.cursor == nil)
        let assign = try JSONCoding.decoder().decode(
            ProfileAssignmentResponse.self,
            from: Data(#"{"profile_uuid":"U","devices":{"A":"SUCCESS","B":"THROTTLED"},"retry_after_seconds":60}"#.utf8)
        )
        #expect(assign.devices["B"] == .throttled)
        #expect(assign.retryAfterSeconds == 60)
    }

    @Test func requestsEncodeApplesKeys() throws {
        let body = String(
            decoding: try JSONCoding.encode(ProfileDevicesRequest(profileUUID: "U", devices: ["A"])),
            as: UTF8.self
        )
        #expect(body == #"{"devices":["A"],"profile_uuid":"U"}"#)
        let page = String(decoding: try JSONCoding.encode(DevicePageRequest(cursor: nil, limit: 100)), as: UTF8.self)
        #expect(page == #"{"limit":100}"#, "the first fetch leaves the cursor out")
        let profile = String(
            decoding: try JSONCoding.encode(Profile(profileName: "P", isMDMRemovable: true)),
            as: UTF8.self
        )
        #expect(profile == #"{"is_mdm_removable":true,"profile_name":"P"}"#)
    }
}
