import ADECore
import ADETesting
import Testing

struct MemoryStoreTests {
    @Test(arguments: StoreConformance.checks)
    func passesTheStoreBattery(_ check: StoreConformance.Check) async throws {
        try await check.run(on: MemoryStore())
    }
}
