import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// One simulator answer per endpoint, and every request body the client sends, validated against the DEP JSON
/// Schemas with Python's jsonschema (draft 2020-12: `$ref`, enums, limits and formats enforced).
struct SchemaConformanceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs the checker on a directory of documents.
    static func check(_ directory: TemporaryDirectory) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", repository.appendingPathComponent("scripts/check-dep-schemas.py").path,
            Fixtures.url("dep-schemas").path, directory.url.path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func simulatorAnswersAndClientRequestsMatchTheSchemas() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Schema", devices: 30)])) {
            harness in
            try await harness.withClient { client in
                let directory = try TemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory.url) }
                let server = try harness.defaultServer
                var saved = 0
                func save(_ schema: String, _ bytes: [UInt8]) throws {
                    saved += 1
                    try directory.write("\(schema).\(saved).json", bytes)
                }
                func answer(
                    _ method: String,
                    _ path: String,
                    query: [(String, String)] = [],
                    body: (some Encodable)? = nil as Int?
                ) async throws -> [UInt8] {
                    let encoded: [UInt8]? = if let body { try JSONCoding.encode(body) } else { nil }
                    return try await client.send(method, path, query: query, body: encoded, server: server).body
                }
                let serials = try harness.simulator.serials(server: server.name, limit: 30)
                try harness.simulator.churn(server: server.name, added: 2, modified: 2, deleted: 1)

                try save("AccountDetail", try await answer("GET", "/account"))
                let fetchRequest = DevicePageRequest(limit: 20)
                try save("FetchDeviceRequest", try JSONCoding.encode(fetchRequest))
                let fetched = try await answer("POST", "/server/devices", body: fetchRequest)
                try save("FetchDeviceResponse", fetched)
                let first = try JSONCoding.decoder().decode(DevicePage.self, from: Data(fetched))
                let rest = try await client.fetchDevices(server, cursor: first.cursor, limit: 100)
                let syncRequest = DevicePageRequest(cursor: rest.cursor, limit: 100)
                try save("SyncDeviceRequest", try JSONCoding.encode(syncRequest))
                try harness.simulator.churn(server: server.name, added: 1, modified: 3, deleted: 1)
                try save("FetchDeviceResponse", try await answer("POST", "/devices/sync", body: syncRequest))

                let list = DeviceListRequest(devices: Array(serials[10..<15]))
                try save("DeviceListRequest", try JSONCoding.encode(list))
                try save("DeviceListResponse", try await answer("POST", "/devices", body: list))
                try save(
                    "DeviceStatusResponse",
                    try await answer("POST", "/devices/disown", body: DeviceListRequest(devices: [serials[29]]))
                )
                let lock = ActivationLockRequest(
                    device: serials[11],
                    escrowKey: "30a3449822ae82b94f1839ee0248a9e2350247d4b325071e6deb84285a6bfb34",
                    lostMessage: "Call IT"
                )
                try save("ActivationLockRequest", try JSONCoding.encode(lock))
                try save("ActivationLockStatusResponse", try await answer("POST", "/device/activationlock", body: lock))

                let profile = Profile(
                    profileName: "Schema",
                    url: "https://mdm.example.com/enroll",
                    allowPairing: true,
                    isSupervised: true,
                    isMandatory: true,
                    isMDMRemovable: false,
                    isMultiUser: false,
                    awaitDeviceConfigured: true,
                    autoAdvanceSetup: false,
                    supportPhoneNumber: "+1 555 0100",
                    supportEmailAddress: "it@example.com",
                    orgMagic: "M",
                    department: "IT",
                    language: "en",
                    region: "US",
                    skipSetupItems: ["Siri"],
                    devices: [serials[12]]
                )
                try save("Profile", try JSONCoding.encode(profile))
                let defined = try await answer("POST", "/profile", body: profile)
                try save("DefineProfileResponse", defined)
                let uuid = try #require(
                    try JSONCoding.decoder().decode(ProfileAssignmentResponse.self, from: Data(defined)).profileUUID
                )
                try save("Profile", try await answer("GET", "/profile", query: [("profile_uuid", uuid)]))
                let assign = ProfileDevicesRequest(
                    profileUUID: uuid,
                    devices: Array(serials[13..<16]) + ["NOTMINE00001"]
                )
                try save("ProfileServiceRequest", try JSONCoding.encode(assign))
                try save("AssignProfileResponse", try await answer("POST", "/profile/devices", body: assign))
                _ = try harness.simulator.runSetupAssistant(server: server.name, serials: [serials[13]])
                try save(
                    "DeviceListResponse",
                    try await answer("POST", "/devices", body: DeviceListRequest(devices: [serials[13], serials[14]]))
                )
                let clear = ProfileDevicesRequest(profileUUID: uuid, devices: [serials[14]])
                try save("ClearProfileRequest", try JSONCoding.encode(clear))
                try save("ClearProfileResponse", try await answer("DELETE", "/profile/devices", body: clear))

                try save("GetSeedBuildTokenResponse", try await answer("GET", "/os-beta-enrollment/tokens"))
                let discovery = AccountDrivenEnrollmentProfile(
                    mdmServiceDiscoveryURL: "https://mdm.example.com/discovery"
                )
                try save("AccountDrivenEnrollmentProfileRequest", try JSONCoding.encode(discovery))
                _ = try await answer("POST", "/account-driven-enrollment/profile", body: discovery)
                try save(
                    "GetAccountDrivenEnrollmentProfileResponse",
                    try await answer("GET", "/account-driven-enrollment/profile")
                )

                let result = try Self.check(directory)
                #expect(result.status == 0, "\(result.output)")
                #expect(result.output.contains("\(saved) passed, 0 failed"), "\(result.output)")
            }
        }
    }

    @Test func theCheckerRejectsWhatTheSchemasForbid() throws {
        let directory = try TemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        try directory.write(
            "Device.bad-enum.json",
            Array(#"{"serial_number":"X","model":"M","profile_status":"bogus"}"#.utf8)
        )
        try directory.write("Device.missing.json", Array(#"{"serial_number":"X"}"#.utf8))
        try directory.write("FetchDeviceRequest.limit.json", Array(#"{"limit":5000}"#.utf8))
        try directory.write(
            "Profile.region.json",
            Array(#"{"region":"USA","is_mdm_removable":true,"org_magic":"m"}"#.utf8)
        )
        try directory.write("AccountDetail.url.json", Array(#"{"urls":[{"uri":"/x","http_method":["PATCH"]}]}"#.utf8))
        try directory.write(
            "FetchDeviceResponse.date.json",
            Array(#"{"cursor":"c","fetched_until":"yesterday","more_to_follow":false}"#.utf8)
        )
        let result = try Self.check(directory)
        #expect(result.status == 1)
        #expect(result.output.contains("0 passed, 6 failed"), "\(result.output)")
    }
}
