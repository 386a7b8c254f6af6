import ADECore
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// The assigner against the simulator: every answer Apple gives, the cooldown and throttling timers on an injected
/// clock, batching, the default profile reaching a full fetch, the move-between-servers quirk, an admin's removal.
struct ProfileAssignerTests {
    struct Fixture {
        let harness: SimulatorHarness
        let client: DEPClient
        let store: any ADEStore
        let token: EnrollmentToken
        let server: DEPServer
        let clock: ManualTimeSource
        let assigner: ProfileAssigner
        let syncer: TokenSyncer
        let service: TokenService
        /// The simulator's UUID of the default profile.
        let profileUUID: String

        var simulatorServer: String { harness.simulator.defaultServerUUID }

        /// The token's devices as the store keeps them.
        func stored() async throws -> [StoredDevice] {
            try await store.devices(tokenID: token.id, after: nil, limit: 100_000, includeRemoved: false)
        }

        func setFaults(_ change: (inout SimulatedFaults) -> Void) throws {
            var faults = try harness.simulator.faults(server: simulatorServer)
            change(&faults)
            try harness.simulator.setFaults(faults, server: simulatorServer)
        }
    }

    /// A token of `devices` devices with a profile defined at Apple and set as its default for every device.
    static func with(
        devices: Int = 50,
        setDefault: Bool = true,
        _ body: @escaping @Sendable (Fixture) async throws -> Void
    ) async throws {
        try await SimulatorHarness.with(
            SimulatorConfiguration(servers: [.init(name: "Assign", devices: devices), .init(name: "Other", devices: 5)])
        ) { harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store = MemoryStore()
                let service = harness.tokenService(store: store, client: client)
                let token = try await harness.enroll("Assign", with: service)
                let server = try await service.server(for: token)
                let fields = Profile(profileName: "Staff", url: "https://mdm.example.com/enroll", isMDMRemovable: true)
                let uuid = try #require(try await client.defineProfile(server, fields).profileUUID)
                var profile = try await store.createProfile(
                    tokenID: token.id,
                    name: "Staff",
                    profile: fields,
                    at: Date()
                )
                profile.profileUUID = uuid
                profile.version = 1
                try await store.updateProfile(profile)
                if setDefault {
                    try await store.setDefaultProfile(tokenID: token.id, family: nil, profileID: profile.id)
                }
                let clock = ManualTimeSource()
                let assigner = ProfileAssigner(
                    store: store,
                    client: client,
                    timeSource: clock,
                    logger: SimulatorHarness.quietLogger
                )
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: clock,
                    assigner: assigner,
                    logger: SimulatorHarness.quietLogger
                )
                try await body(
                    Fixture(
                        harness: harness,
                        client: client,
                        store: store,
                        token: token,
                        server: server,
                        clock: clock,
                        assigner: assigner,
                        syncer: syncer,
                        service: service,
                        profileUUID: uuid
                    )
                )
            }
        }
    }

    static let holder = TokenSyncerTests.holder

    @Test func theDefaultProfileReachesEveryDeviceOfAFullFetch() async throws {
        try await Self.with(devices: 2500) { fixture in
            let full = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(full.kind == .full && full.outcome == .succeeded)
            #expect(try await fixture.store.assignmentCounts(tokenID: fixture.token.id) == [.assigned: 2500])
            // Apple says so too: the changes come back as `modified` devices (in the run's own sync page for most,
            // the next run for the rest), assigned to the profile.
            let delta = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(full.modified + delta.modified >= 2500)
            let devices = try await fixture.stored()
            #expect(devices.allSatisfy { $0.device.profileStatus == .assigned })
            #expect(devices.allSatisfy { $0.device.profileUUID == fixture.profileUUID })
            // Nothing left to do: no device without a profile, no call.
            let again = try await fixture.assigner.assignDefaults(
                afterPage: devices.map(\.device),
                token: fixture.token,
                server: fixture.server
            )
            #expect(again.calls == 0)
        }
    }

    @Test func twoThousandFiveHundredDevicesAreAssignedInThreeCalls() async throws {
        try await Self.with(devices: 2500) { fixture in
            let serials = try fixture.harness.simulator.serials(server: fixture.simulatorServer, limit: 2500)
            #expect(serials.count == 2500)
            let report = try await fixture.assigner.assignDefaults(
                afterPage: serials.map { DeviceRecord(serialNumber: $0, profileStatus: .empty) },
                token: fixture.token,
                server: fixture.server
            )
            #expect(report.calls == 3)
            #expect(report.outcomes == [.assigned: 2500])
        }
    }

    @Test func everyAnswerWithItsTimers() async throws {
        try await Self.with(devices: 10) { fixture in
            _ = try await TokenSyncer(
                store: fixture.store,
                tokens: fixture.service,
                client: fixture.client,
                timeSource: fixture.clock,
                logger: SimulatorHarness.quietLogger
            ).run(fixture.token, holder: Self.holder)
            let serials = try await fixture.stored().map(\.serialNumber)
            let (failing, throttled, elsewhere) = (serials[0], serials[1], serials[2])
            try fixture.setFaults { $0.failingSerials = [failing] }
            // A device moved to another MDM server in ABM since the last sync: NOT_ACCESSIBLE, never retried.
            _ = try fixture.harness.simulator.move(serials: [elsewhere], to: fixture.harness.simulator.servers[1].uuid)
            let page = serials.filter { $0 != throttled }.map { DeviceRecord(serialNumber: $0, profileStatus: .empty) }
            let first = try await fixture.assigner.assignDefaults(
                afterPage: page,
                token: fixture.token,
                server: fixture.server
            )
            #expect(first.calls == 1)
            #expect(first.outcomes == [.assigned: 7, .failed: 1, .notAccessible: 1])
            let records = try await fixture.store.assignments(
                tokenID: fixture.token.id,
                serialNumbers: [failing, elsewhere]
            )
            #expect(records[failing]?.status == .failed && records[failing]?.failures == 1)
            #expect(records[failing]?.nextAttemptAt == fixture.clock.now().addingTimeInterval(86_400))
            #expect(records[elsewhere]?.status == .notAccessible && records[elsewhere]?.lastResult == "NOT_ACCESSIBLE")

            // Throttled: THROTTLED with retry_after_seconds, waited exactly.
            try fixture.setFaults {
                $0.assignThrottleRate = 1
                $0.assignRetryAfterSeconds = 120
            }
            let slowed = try await fixture.assigner.assignDefaults(
                afterPage: [DeviceRecord(serialNumber: throttled, profileStatus: .empty)],
                token: fixture.token,
                server: fixture.server
            )
            #expect(slowed.outcomes == [.throttled: 1])
            try fixture.setFaults { $0.assignThrottleRate = 0 }
            fixture.clock.advance(by: 119)
            #expect(try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server).calls == 0)
            fixture.clock.advance(by: 1)
            let retried = try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server)
            #expect(retried.outcomes == [.assigned: 1], "after retry_after_seconds, once")

            // FAILED: again after each day's cooldown, then it needs attention and is left alone.
            for (day, expected) in [(1, DeviceAssignment.Status.failed), (2, .needsAttention)] {
                let record = try await fixture.store.assignments(tokenID: fixture.token.id, serialNumbers: [failing])
                let next = try #require(record[failing]?.nextAttemptAt)
                #expect(record[failing]?.updatedAt.addingTimeInterval(86_400) == next, "a day after the answer")
                fixture.clock.advance(by: next.timeIntervalSince(fixture.clock.now()) - 1)
                #expect(
                    try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server).calls == 0,
                    "day \(day): still cooling down"
                )
                fixture.clock.advance(by: 1)
                let report = try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server)
                #expect(report.outcomes == [expected: 1], "day \(day)")
            }
            fixture.clock.advance(by: 86_400 * 7)
            #expect(try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server).calls == 0)
            let stuck = try await fixture.store.assignments(tokenID: fixture.token.id, serialNumbers: [failing])[
                failing
            ]
            #expect(stuck?.status == .needsAttention && stuck?.failures == 3)
            #expect(
                try await fixture.store.assignmentCounts(tokenID: fixture.token.id) == [
                    .assigned: 8, .needsAttention: 1, .notAccessible: 1,
                ]
            )

            // An admin's retry starts again from nothing and succeeds once Apple does.
            try fixture.setFaults { $0.failingSerials = [] }
            let manual = try await fixture.assigner.assign(
                profileUUID: fixture.profileUUID,
                to: [failing],
                token: fixture.token,
                server: fixture.server
            )
            #expect(manual.outcomes == [.assigned: 1])
        }
    }

    @Test func aCallThatFailsLeavesItsDevicesPendingWithoutFailingTheSync() async throws {
        try await Self.with(devices: 30) { fixture in
            try fixture.setFaults { $0.serverErrorRate = 1 }
            let serials = try fixture.harness.simulator.serials(server: fixture.simulatorServer, limit: 30)
            let report = try await fixture.assigner.assignDefaults(
                afterPage: serials.map { DeviceRecord(serialNumber: $0, profileStatus: .empty) },
                token: fixture.token,
                server: fixture.server
            )
            #expect(report.outcomes == [.pending: 30] && report.lastErrorCode != nil)
            try fixture.setFaults { $0.serverErrorRate = 0 }
            // The sync brings the devices into the store; its pass after the run retries the pending ones.
            fixture.clock.advance(by: 60)
            let run = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(run.outcome == .succeeded)
            #expect(try await fixture.store.assignmentCounts(tokenID: fixture.token.id) == [.assigned: 30])
        }
    }

    @Test func aDeviceMovedFromAnotherServerGetsTheDefault() async throws {
        try await Self.with(devices: 20) { fixture in
            _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(try await fixture.store.assignmentCounts(tokenID: fixture.token.id) == [.assigned: 20])
            let other = fixture.harness.simulator.servers[1].uuid
            let moving = try fixture.harness.simulator.serials(server: other, limit: 2)
            #expect(
                try fixture.harness.simulator.move(serials: moving, to: fixture.simulatorServer).values.allSatisfy {
                    $0
                }
            )
            // Apple sends the moved devices `modified`, their profile `removed`: the default follows them.
            let delta = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(delta.kind == .delta)
            let records = try await fixture.store.assignments(tokenID: fixture.token.id, serialNumbers: moving)
            #expect(records.values.map(\.status) == [.assigned, .assigned])
            #expect(try await fixture.store.assignmentCounts(tokenID: fixture.token.id) == [.assigned: 22])
        }
    }

    @Test func anAdminsRemovalStaysRemoved() async throws {
        try await Self.with(devices: 10) { fixture in
            _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            let serial = try await fixture.stored()[0].serialNumber
            let results = try await fixture.assigner.removeProfile(
                from: [serial],
                token: fixture.token,
                server: fixture.server
            )
            #expect(results == [serial: .success])
            // Apple reports the profile removed; sync after sync, the assigner leaves the device alone.
            for _ in 0..<2 {
                _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
                fixture.clock.advance(by: 86_400 * 2)
            }
            let device = try #require(try await fixture.store.device(tokenID: fixture.token.id, serial: serial))
            #expect(device.device.profileStatus == .removed)
            let record = try await fixture.store.assignments(tokenID: fixture.token.id, serialNumbers: [serial])[serial]
            #expect(record?.status == .excluded)
            // Until an admin assigns it again.
            let again = try await fixture.assigner.assign(
                profileUUID: fixture.profileUUID,
                to: [serial],
                token: fixture.token,
                server: fixture.server
            )
            #expect(again.outcomes == [.assigned: 1])
        }
    }

    @Test func anAdminsChoiceIsRetriedWithItAndAnEditCarriesItsCoolingDevices() async throws {
        try await Self.with(devices: 10) { fixture in
            _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            let profiles = ProfileService(
                tokens: fixture.service,
                assigner: fixture.assigner,
                timeSource: fixture.clock,
                logger: SimulatorHarness.quietLogger
            )
            let kiosk = try await profiles.create(
                token: fixture.token.name,
                name: "Kiosk",
                profile: Profile(profileName: "Kiosk", url: "https://mdm.example.com/kiosk")
            )
            let serials = try await fixture.stored().map(\.serialNumber)
            let (failing, other) = (serials[0], serials[1])
            // The admin takes the device off the default, then chooses Kiosk for it; Apple fails the call.
            _ = try await fixture.assigner.removeProfile(from: [failing], token: fixture.token, server: fixture.server)
            _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            try fixture.setFaults { $0.failingSerials = [failing] }
            let chosen = try await profiles.assign(
                token: fixture.token.name,
                name: "Kiosk",
                serialNumbers: [failing, other]
            )
            #expect(chosen.outcomes == [.assigned: 1, .failed: 1])

            // An edit moves the device that has Kiosk, and carries the cooling one to the new definition.
            let edit = try await profiles.edit(
                token: fixture.token.name,
                name: "Kiosk",
                profile: Profile(profileName: "Kiosk 2", url: "https://mdm.example.com/kiosk")
            )
            let newUUID = try #require(edit.profile.profileUUID)
            #expect(newUUID != kiosk.profileUUID)
            #expect(edit.moved.outcomes == [.assigned: 1] && edit.skipped == 1)
            let cooling = try await fixture.store.assignments(tokenID: fixture.token.id, serialNumbers: [failing])
            #expect(cooling[failing]?.status == .failed && cooling[failing]?.profileUUID == newUUID)

            // After the cooldown the retry assigns the admin's choice, not the token's default.
            try fixture.setFaults { $0.failingSerials = [] }
            fixture.clock.advance(by: 86_400)
            let retried = try await fixture.assigner.retryDue(token: fixture.token, server: fixture.server)
            #expect(retried.outcomes == [.assigned: 1])
            _ = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            let device = try #require(try await fixture.store.device(tokenID: fixture.token.id, serial: failing))
            #expect(device.device.profileUUID == newUUID && device.device.profileUUID != fixture.profileUUID)
        }
    }

    @Test func withoutADefaultNothingIsSent() async throws {
        try await Self.with(devices: 10, setDefault: false) { fixture in
            let run = try await fixture.syncer.run(fixture.token, holder: Self.holder)
            #expect(run.outcome == .succeeded)
            #expect(try await fixture.store.assignmentCounts(tokenID: fixture.token.id).isEmpty)
        }
    }
}
