import ADECore
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

/// Device details on demand, against the simulator: what Apple shows now replaces what a sync stored.
struct DeviceRefresherTests {
    @Test func appleShowsTheDeviceAsItIsNowAndOthersAreLeftAlone() async throws {
        try await TokenSyncerTests.withSyncerAndService(devices: 20) { _, syncer, service, store, token in
            _ = try await syncer.run(token, holder: TokenSyncerTests.holder)
            let serials = try await store.devices(tokenID: token.id, after: nil, limit: 20, includeRemoved: false)
                .map(\.serialNumber)
            let changed = serials[3]
            // At Apple, between syncs: a profile assigned to one device.
            let server = try await service.server(for: token)
            let uuid = try #require(
                try await service.client.defineProfile(
                    server,
                    Profile(profileName: "Staff", url: "https://mdm.example.com/enroll")
                ).profileUUID
            )
            _ = try await service.client.assignProfile(server, uuid: uuid, serials: [changed])
            let before = try await store.events(after: 0, limit: 10_000).count

            // A serial of no device of this MDM server (another organisation's, or a typo).
            let elsewhere = ["C02NOTHERE01"]
            let refresher = DeviceRefresher(
                tokens: service,
                store: store,
                timeSource: SystemTimeSource(),
                logger: SimulatorHarness.quietLogger
            )
            let report = try await refresher.refresh(
                token: token.name,
                serialNumbers: [changed, serials[4], changed] + elsewhere
            )
            #expect(report.results[changed] == .success && report.results[serials[4]] == .success)
            #expect(report.results.count == 2 + elsewhere.count, "each serial once")
            #expect(report.changes.modified == 1, "the device Apple changed, not the other")
            let stored = try #require(try await store.device(tokenID: token.id, serial: changed))
            #expect(stored.device.profileStatus == .assigned && stored.device.profileUUID == uuid)
            let events = try await store.events(after: 0, limit: 10_000).dropFirst(before)
            #expect(events.map(\.kind) == [.devicesModified] && events.first?.body.contains(changed) == true)
            for serial in elsewhere {
                #expect(report.results[serial] == .notFound)
                #expect(try await store.device(tokenID: token.id, serial: serial) == nil, "left alone")
            }
        }
    }
}
