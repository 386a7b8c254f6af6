import ADECore
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// Profiles: Apple's rules checked field by field before anything is sent (and Apple's own refusals mapped to the
/// same errors), definition, edits that move devices, defaults.
struct ProfileServiceTests {
    static let valid = Profile(profileName: "Staff", url: "https://mdm.example.com/enroll")
    static let certificate = Data([0x30, 0x82, 0x01, 0x0A] + Array(repeating: 0x01, count: 60)).base64EncodedString()

    @Test(arguments: [
        (Profile(url: "https://mdm.example.com/enroll"), ProfileError.Code.nameRequired, "profile_name"),
        (Profile(profileName: "", url: "https://mdm.example.com/enroll"), .nameRequired, "profile_name"),
        (
            Profile(profileName: String(repeating: "n", count: 126), url: "https://m.example.com"), .nameTooLong,
            "profile_name"
        ),
        (Profile(profileName: "P"), .urlRequired, "url"),
        (Profile(profileName: "P", url: "mdm.example.com/enroll"), .urlInvalid, "url"),
        (
            Profile(profileName: "P", url: "https://m.example.com/" + String(repeating: "a", count: 2000)), .urlInvalid,
            "url"
        ),
        (Profile(profileName: "P", url: "ftp://m.example.com"), .urlInvalid, "url"),
        (
            Profile(profileName: "P", url: "https://m.example.com", configurationWebURL: "not a url"), .urlInvalid,
            "configuration_web_url"
        ),
        (Profile(profileName: "P", url: "https://m.example.com", department: ""), .departmentInvalid, "department"),
        (
            Profile(profileName: "P", url: "https://m.example.com", department: String(repeating: "d", count: 126)),
            .departmentInvalid, "department"
        ),
        (
            Profile(profileName: "P", url: "https://m.example.com", orgMagic: String(repeating: "m", count: 257)),
            .orgMagicTooLong, "org_magic"
        ),
        (
            Profile(profileName: "P", url: "https://m.example.com", supportEmailAddress: "help"), .supportEmailInvalid,
            "support_email_address"
        ),
        (
            Profile(
                profileName: "P",
                url: "https://m.example.com",
                supportEmailAddress: String(repeating: "e", count: 240) + "@example.com"
            ), .supportEmailInvalid,
            "support_email_address"
        ),
        (
            Profile(
                profileName: "P",
                url: "https://m.example.com",
                supportPhoneNumber: String(repeating: "1", count: 51)
            ),
            .supportPhoneInvalid, "support_phone_number"
        ),
        (
            Profile(profileName: "P", url: "https://m.example.com", isSupervised: false, isMDMRemovable: false),
            .removableNeedsSupervision, "is_mdm_removable"
        ),
        (Profile(profileName: "P", url: "https://m.example.com", language: "english"), .languageInvalid, "language"),
        (Profile(profileName: "P", url: "https://m.example.com", region: "usa"), .regionInvalid, "region"),
    ])
    func eachOfApplesRulesNamesItsField(profile: Profile, code: ProfileError.Code, field: String) {
        let problems = profile.problems()
        #expect(problems.map(\.code) == [code])
        #expect(problems.first?.parameters["field"] == field)
    }

    @Test func certificatesAndSetupItemsAreChecked() {
        var profile = Self.valid
        profile.anchorCerts = [Self.certificate, "bm90IGEgY2VydGlmaWNhdGU="]
        profile.supervisingHostCerts = ["%%%"]
        profile.skipSetupItems = ["Siri", " ", "SomethingAppleAddsNextYear"]
        let problems = profile.problems()
        #expect(problems.map(\.code) == [.certificateInvalid, .certificateInvalid, .skipItemInvalid])
        #expect(problems[0].parameters == ["field": "anchor_certs", "index": "2"])
        #expect(problems[1].parameters == ["field": "supervising_host_certs", "index": "1"])
        #expect(problems[2].parameters == ["index": "2"])

        var complete = Self.valid
        complete.configurationWebURL = "https://mdm.example.com/web"
        complete.isSupervised = true
        complete.isMDMRemovable = false
        complete.isMultiUser = true
        complete.awaitDeviceConfigured = true
        complete.autoAdvanceSetup = false
        complete.supportPhoneNumber = "+33 1 23 45 67 89"
        complete.supportEmailAddress = "it@example.com"
        complete.orgMagic = "magic"
        complete.department = "IT"
        complete.language = "fr"
        complete.region = "FR"
        complete.anchorCerts = [Self.certificate]
        complete.supervisingHostCerts = [Self.certificate]
        complete.skipSetupItems = ["Siri", "TOS", "Location"]
        complete.isReturnToService = true
        complete.doNotUseProfileFromBackup = true
        #expect(complete.problems().isEmpty)
    }

    @Test func everyErrorReadsInTheAdminsWords() {
        let catalogue = MessageCatalogue.bundled
        for problem in [
            ProfileError(.nameTooLong, parameters: ["field": "profile_name", "value": "130"]),
            ProfileError(.urlInvalid, parameters: ["field": "configuration_web_url"]),
            ProfileError(.languageInvalid, parameters: ["field": "language", "value": "english"]),
        ] {
            let (message, remedy) = catalogue.describe(problem, locale: .english)
            #expect(!message.contains("{") && !remedy.contains("{") && !message.hasPrefix("error."), "\(message)")
        }
        let (message, _) = catalogue.describe(
            ProfileError(.nameTooLong, parameters: ["field": "profile_name", "value": "130"]),
            locale: .english
        )
        #expect(message == "The profile name (profile_name) has 130 characters; Apple accepts at most 125.")
    }

    /// A token of `devices` devices and the service, against the simulator.
    static func with(
        devices: Int = 20,
        _ body:
            @escaping @Sendable (
                SimulatorHarness, ProfileService, TokenSyncer, any ADEStore, EnrollmentToken, DEPServer
            )
            async throws -> Void
    ) async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Profiles", devices: devices)])) {
            harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = MemoryStore()
                let tokens = harness.tokenService(store: store, client: client)
                let token = try await harness.enroll("Profiles", with: tokens)
                let assigner = ProfileAssigner(
                    store: store,
                    client: client,
                    timeSource: SystemTimeSource(),
                    logger: SimulatorHarness.quietLogger
                )
                let service = ProfileService(
                    tokens: tokens,
                    assigner: assigner,
                    timeSource: SystemTimeSource(),
                    logger: SimulatorHarness.quietLogger
                )
                let syncer = TokenSyncer(
                    store: store,
                    tokens: tokens,
                    client: client,
                    timeSource: SystemTimeSource(),
                    assigner: assigner,
                    logger: SimulatorHarness.quietLogger
                )
                try await body(harness, service, syncer, store, token, try await tokens.server(for: token))
            }
        }
    }

    @Test func applesRefusalsAreTheSameErrorsAsTheLocalChecks() async throws {
        try await Self.with { harness, _, _, _, _, _ in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = MemoryStore()
                let tokens = harness.tokenService(store: store, client: client)
                let token = try await harness.enroll("Profiles", with: tokens)
                let server = try await tokens.server(for: token)
                for profile in [
                    Profile(url: "https://m.example.com"),
                    Profile(profileName: String(repeating: "n", count: 126), url: "https://m.example.com"),
                    Profile(profileName: "P", url: "https://m.example.com", isMDMRemovable: false),
                    Profile(profileName: "P", url: "https://m.example.com", supportPhoneNumber: ""),
                ] {
                    let local = try #require(profile.problems().first)
                    // Sent anyway, as another MDM would: Apple's answer maps to the same error.
                    let error = await #expect(throws: DEPError.self) { try await client.defineProfile(server, profile) }
                    let answered = try #require(error.flatMap(ProfileError.answered))
                    #expect(answered.code == local.code)
                    #expect(answered.parameters["field"] == local.parameters["field"])
                }
            }
        }
    }

    @Test func createDefineAssignEditAndMoveTheDevices() async throws {
        try await Self.with(devices: 20) { harness, service, syncer, store, token, server in
            await #expect(throws: ProfileError(.urlRequired), "nothing is sent") {
                try await service.create(token: "Profiles", name: "Staff", profile: Profile(profileName: "Staff"))
            }
            #expect(try await service.list(token: "Profiles").isEmpty)
            let staff = try await service.create(token: "Profiles", name: "Staff", profile: Self.valid)
            #expect(staff.version == 1 && staff.profileUUID != nil)
            let atApple = try await harness.withClient { client in
                try await client.profile(server, uuid: try #require(staff.profileUUID))
            }
            #expect(atApple.profileName == "Staff")
            await #expect(throws: ProfileError(.exists)) {
                try await service.create(token: "Profiles", name: "staff", profile: Self.valid)
            }
            await #expect(throws: ProfileError(.notFound)) {
                try await service.setDefault(token: "Profiles", name: "Nope", family: nil)
            }
            try await service.setDefault(token: "Profiles", name: "Staff", family: nil)
            #expect(try await service.defaults(token: "Profiles") == [nil: "Staff"])

            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await store.assignmentCounts(tokenID: token.id) == [.assigned: 20])
            #expect(try await service.devicesUsing(staff) == 20)

            var changed = Self.valid
            changed.department = "IT"
            let edit = try await service.edit(token: "Profiles", name: "Staff", profile: changed)
            #expect(edit.profile.version == 2 && edit.profile.profileUUID != staff.profileUUID)
            #expect(edit.moved.calls == 1 && edit.moved.outcomes == [.assigned: 20] && edit.skipped == 0)
            #expect(try await service.devicesUsing(edit.profile) == 20)
            // Apple shows the new definition on every device.
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let devices = try await store.devices(tokenID: token.id, after: nil, limit: 100, includeRemoved: false)
            #expect(devices.allSatisfy { $0.device.profileUUID == edit.profile.profileUUID })
            // An edit Apple would refuse changes nothing.
            await #expect(throws: ProfileError(.removableNeedsSupervision)) {
                try await service.edit(
                    token: "Profiles",
                    name: "Staff",
                    profile: Profile(profileName: "S", url: "https://m.example.com", isMDMRemovable: false)
                )
            }
            #expect(try await service.profile(token: "Profiles", named: "Staff") == edit.profile)

            try await service.delete(token: "Profiles", name: "Staff")
            #expect(try await service.defaults(token: "Profiles").isEmpty)
        }
    }

    @Test func aNewDefaultReachesTheDevicesAlreadySynced() async throws {
        try await Self.with(devices: 300) { _, service, syncer, store, token, _ in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await store.assignmentCounts(tokenID: token.id).isEmpty, "no default yet: nothing assigned")

            _ = try await service.create(token: "Profiles", name: "Staff", profile: Self.valid)
            try await service.setDefault(token: "Profiles", name: "Staff", family: nil)
            #expect(try await store.assignmentCounts(tokenID: token.id) == [.pending: 300], "queued at once")

            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            #expect(try await store.assignmentCounts(tokenID: token.id) == [.assigned: 300])
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let devices = try await store.devices(tokenID: token.id, after: nil, limit: 1000, includeRemoved: false)
            #expect(devices.count == 300)
            #expect(devices.allSatisfy { $0.device.profileStatus == .assigned || $0.device.profileStatus == .pushed })

            // Setting the same default again queues nothing more.
            try await service.setDefault(token: "Profiles", name: "Staff", family: nil)
            #expect(try await store.assignmentCounts(tokenID: token.id) == [.assigned: 300])
        }
    }
}
