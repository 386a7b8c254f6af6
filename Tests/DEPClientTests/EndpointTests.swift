import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// Every endpoint of the client against the in-process simulator.
struct EndpointTests {
    static let configuration = SimulatorConfiguration(servers: [.init(name: "Contoso iPads", devices: 250)])

    @Test func accountDescribesTheServerAndItsLimits() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let account = try await client.account(try harness.defaultServer)
                #expect(account.serverName == "Contoso iPads")
                #expect(account.serverUUID == harness.simulator.defaultServerUUID)
                #expect(account.orgName == "Simulated Organisation")
                #expect(account.orgType == "org")
                #expect(account.limit(for: "/server/devices") == .init(default: 100, maximum: 1000))
                #expect(
                    account.urls?.contains { $0.uri == "/profile/devices" && $0.httpMethod?.contains("PUT") == true }
                        == true
                )
            }
        }
    }

    @Test func fetchesEveryDeviceThenSyncsTheChanges() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                var cursor: String?
                var serials: [String] = []
                var pages = 0
                while true {
                    let page = try await client.fetchDevices(server, cursor: cursor, limit: 100)
                    #expect(page.devices.allSatisfy { $0.opType == nil }, "fetch records carry no op_type")
                    serials += page.devices.map(\.serialNumber)
                    cursor = page.cursor
                    pages += 1
                    if !page.moreToFollow { break }
                }
                #expect(serials.count == 250)
                #expect(Set(serials).count == 250)
                #expect(pages == 3)
                #expect(serials.allSatisfy { $0.count == 12 })

                // Fetch again with the final cursor: Apple says it is exhausted.
                await #expect(throws: DEPError(.cursorExhausted, endpoint: "")) {
                    try await client.fetchDevices(server, cursor: cursor)
                }

                try harness.simulator.churn(server: server.name, added: 3, modified: 2, deleted: 1)
                let sync = try await client.syncDevices(server, cursor: try #require(cursor))
                let operations = sync.devices.compactMap(\.opType)
                #expect(operations.filter { $0 == .added }.count == 3)
                #expect(operations.filter { $0 == .deleted }.count == 1)
                #expect(operations.filter { $0 == .modified }.count >= 2)
                #expect(sync.devices.allSatisfy { $0.opDate != nil })
                let next = try await client.syncDevices(server, cursor: try #require(sync.cursor))
                #expect(next.devices.isEmpty)
                #expect(!next.moreToFollow)
            }
        }
    }

    @Test func deviceDetailsAndDisown() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let serials = try harness.simulator.serials(server: server.name, limit: 3)
                let details = try await client.deviceDetails(server, serials: serials + ["C02UNKNOWN01"])
                #expect(details.devices.count == 4)
                #expect(details.devices[serials[0]]?.responseStatus == .success)
                #expect(details.devices[serials[0]]?.model != nil)
                #expect(details.devices["C02UNKNOWN01"]?.responseStatus == .notFound)

                let disowned = try await client.disownDevices(server, serials: [serials[0]])
                #expect(disowned.devices[serials[0]] == .success)
                let again = try await client.deviceDetails(server, serials: [serials[0]])
                #expect(again.devices[serials[0]]?.responseStatus != .success)

                await #expect(throws: DEPError(.invalidRequest, endpoint: "")) {
                    try await client.deviceDetails(server, serials: [])
                }
                await #expect(throws: DEPError(.invalidRequest, endpoint: "")) {
                    try await client.disownDevices(server, serials: (0...1000).map { "S\($0)" })
                }
            }
        }
    }

    @Test func activationLockAndReplacementDetails() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let serials = try harness.simulator.serials(server: server.name, limit: 250)
                let details = try await client.deviceDetails(server, serials: Array(serials.prefix(40)))
                let families = details.devices.mapValues { $0.deviceFamily }
                let phone = try #require(families.first { $0.value == .iPhone }?.key)
                let shortKey = try await client.activationLock(
                    server,
                    ActivationLockRequest(device: phone, escrowKey: "KEY")
                )
                #expect(shortKey.responseStatus == .failed, "an escrow key is 64 hex digits")
                let escrowKey = String(repeating: "0a", count: 32)
                let lock = try await client.activationLock(
                    server,
                    ActivationLockRequest(device: phone, escrowKey: escrowKey)
                )
                #expect(lock.responseStatus == .success)
                let again = try await client.activationLock(server, ActivationLockRequest(device: phone))
                #expect(again.responseStatus == .deviceAlreadyLocked)
                let mac = try #require(families.first { $0.value == .mac }?.key, "40 devices hold a Mac")
                let refused = try await client.activationLock(server, ActivationLockRequest(device: mac))
                #expect(refused.responseStatus == .deviceNotSupported)

                // Device 7 of every 499 is a replacement.
                let replacement = try await client.replacementDetails(server, serial: serials[7])
                #expect(replacement.serialNumber == serials[7])
                #expect(replacement.replacementDate?.count == 10)
                await #expect(throws: DEPError(.deviceNotFound, endpoint: "")) {
                    try await client.replacementDetails(server, serial: serials[8])
                }
            }
        }
    }

    @Test func definesGetsAssignsAndRemovesProfiles() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let serials = try harness.simulator.serials(server: server.name, limit: 5)
                let profile = Profile(
                    profileName: "Staff iPads",
                    url: "https://mdm.example.com/enroll",
                    isSupervised: true,
                    isMDMRemovable: false,
                    supportPhoneNumber: "+1 555 0100",
                    supportEmailAddress: "it@example.com",
                    orgMagic: "magic",
                    department: "IT",
                    language: "en",
                    region: "US",
                    skipSetupItems: ["Siri", "Location"]
                )
                let defined = try await client.defineProfile(server, profile)
                let uuid = try #require(defined.profileUUID)
                let fetched = try await client.profile(server, uuid: uuid)
                #expect(fetched.profileName == "Staff iPads")
                #expect(fetched.skipSetupItems == ["Siri", "Location"])
                #expect(fetched.profileUUID == uuid)

                let assigned = try await client.assignProfile(server, uuid: uuid, serials: serials + ["NOTMINE00001"])
                #expect(serials.allSatisfy { assigned.devices[$0] == .success })
                #expect(assigned.devices["NOTMINE00001"] == .notAccessible)
                let details = try await client.deviceDetails(server, serials: serials)
                #expect(details.devices[serials[0]]?.profileStatus == .assigned)
                #expect(details.devices[serials[0]]?.profileUUID == uuid)

                _ = try harness.simulator.runSetupAssistant(server: server.name, serials: [serials[1]])
                let pushed = try await client.deviceDetails(server, serials: [serials[1]])
                #expect(pushed.devices[serials[1]]?.profileStatus == .pushed)
                #expect(pushed.devices[serials[1]]?.profilePushTime != nil)

                let removed = try await client.removeProfile(server, serials: [serials[0]], uuid: uuid)
                #expect(removed.devices[serials[0]] == .success)
                let after = try await client.deviceDetails(server, serials: [serials[0]])
                #expect(after.devices[serials[0]]?.profileStatus == .removed)

                await #expect(throws: DEPError(.profileNotFound, endpoint: "")) {
                    try await client.profile(server, uuid: "0000")
                }
            }
        }
    }

    @Test func profileFieldErrorsAreApplesCodes() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let cases: [(Profile, DEPError.Code)] = [
                    (Profile(url: "https://mdm.example.com"), .profileNameRequired),
                    (
                        Profile(profileName: String(repeating: "n", count: 126), url: "https://m.example"),
                        .profileNameInvalid
                    ),
                    (Profile(profileName: "P"), .profileURLRequired),
                    (Profile(profileName: "P", url: "not a url"), .profileURLInvalid),
                    (Profile(profileName: "P", url: "https://m.example", department: ""), .departmentInvalid),
                    (
                        Profile(
                            profileName: "P",
                            url: "https://m.example",
                            orgMagic: String(repeating: "m", count: 257)
                        ), .magicInvalid
                    ),
                    (
                        Profile(profileName: "P", url: "https://m.example", supportEmailAddress: "nobody"),
                        .supportEmailInvalid
                    ),
                    (
                        Profile(
                            profileName: "P",
                            url: "https://m.example",
                            supportPhoneNumber: String(repeating: "1", count: 51)
                        ), .supportPhoneInvalid
                    ),
                    (Profile(profileName: "P", url: "https://m.example", isMDMRemovable: false), .flagsInvalid),
                    (Profile(profileName: "P", url: "https://m.example", region: "usa"), .localeInvalid),
                ]
                for (profile, code) in cases {
                    #expect(profile.validationIssues().first?.code == code, "local rules agree with Apple's")
                    await #expect(throws: DEPError(code, endpoint: ""), "\(code)") {
                        try await client.defineProfile(server, profile)
                    }
                }
            }
        }
    }

    @Test func betaTokensAndAccountDrivenEnrollment() async throws {
        try await SimulatorHarness.with(Self.configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let tokens = try await client.betaEnrollmentTokens(server)
                #expect(tokens.tokens.count == 3)

                await #expect(throws: DEPError(.notFound, endpoint: "")) {
                    try await client.accountDrivenEnrollmentURL(server)
                }
                await #expect(throws: DEPError(.serviceDiscoveryURLInvalid, endpoint: "")) {
                    try await client.setAccountDrivenEnrollmentURL(server, url: "http://insecure.example.com/")
                }
                try await client.setAccountDrivenEnrollmentURL(server, url: "https://mdm.example.com/.well-known")
                let discovery = try await client.accountDrivenEnrollmentURL(server)
                #expect(discovery.mdmServiceDiscoveryURL == "https://mdm.example.com/.well-known")
                #expect(discovery.lastUpdatedTimestamp != nil)
                try await client.deleteAccountDrivenEnrollmentURL(server)
                await #expect(throws: DEPError(.notFound, endpoint: "")) {
                    try await client.accountDrivenEnrollmentURL(server)
                }
            }
        }
        var withoutSeed = Self.configuration
        withoutSeed.appleSeedForIT = false
        _ = try await SimulatorHarness.with(withoutSeed) { harness in
            try await harness.withClient { client in
                await #expect(throws: DEPError(.appleSeedTurnedOff, endpoint: "")) {
                    try await client.betaEnrollmentTokens(try harness.defaultServer)
                }
            }
        }
    }
}
