import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import Testing

struct SmokeTests {
    @Test func fetchesEveryDeviceThenSyncs() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "A", devices: 250)])) { harness in
            let transport = try HTTPClientTransport()
            defer { Task { try? await transport.shutdown() } }
            let client = DEPClient(transport: transport, logger: SimulatorHarness.quietLogger)
            let server = try harness.defaultServer
            let account = try await client.account(server)
            #expect(account.serverName == "A")
            var cursor: String?
            var serials: Set<String> = []
            var pages = 0
            repeat {
                let page = try await client.fetchDevices(server, cursor: cursor, limit: 100)
                serials.formUnion(page.devices.map(\.serialNumber))
                cursor = page.cursor
                pages += 1
                if !page.moreToFollow { break }
            } while true
            #expect(serials.count == 250)
            #expect(pages == 3)
            let sync = try await client.syncDevices(server, cursor: cursor!)
            #expect(sync.devices.isEmpty)
        }
    }
}
