import ADECore
import ADETesting
import Testing

struct MemoryStoreTests {
    @Test func passesTheStoreBattery() async throws {
        try await StoreConformance.run { MemoryStore() }
    }
}
