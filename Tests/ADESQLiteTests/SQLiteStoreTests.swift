import ADECore
import ADESQLite
import ADETesting
import DEPClient
import Foundation
import Testing

struct SQLiteStoreTests {
    @Test func passesTheStoreBatteryInMemory() async throws {
        try await StoreConformance.run { try SQLiteStore.inMemory() }
    }

    @Test func passesTheStoreBatteryOnDisk() async throws {
        try await TemporaryDirectory.with { directory in
            var count = 0
            try await StoreConformance.run {
                count += 1
                return try SQLiteStore(path: directory.path("battery-\(count)/ade.sqlite"))
            }
        }
    }

    @Test func keepsEverythingAcrossReopening() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            let id: Int64
            do {
                let store = try SQLiteStore(path: path)
                let token = try await store.createToken(
                    name: "T",
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: now
                )
                id = token.id
                try await store.setSecrets(SealedTokenSecrets(credentials: [9, 9]), tokenID: id)
                try await store.setKeyCheckValue("check")
                var device = Device(serialNumber: "X", model: "Mac mini", deviceFamily: .mac, profileStatus: .pushed)
                device.imei = ["1", "2"]
                device.isReplacementDevice = true
                _ = try await store.applyPage(
                    [device],
                    cursor: SyncCursorState(phase: .sync, cursor: "abc", fetchGeneration: 3, lastFullFetchAt: now),
                    completesFetch: false,
                    tokenID: id,
                    now: now
                )
            }
            let reopened = try SQLiteStore(path: path)
            #expect(try await reopened.token(id: id)?.name == "T")
            #expect(try await reopened.secrets(tokenID: id).credentials == [9, 9])
            #expect(try await reopened.keyCheckValue() == "check")
            #expect(try await reopened.cursor(tokenID: id)?.cursor == "abc")
            let device = try #require(try await reopened.device(tokenID: id, serial: "X"))
            #expect(device.device.imei == ["1", "2"], "fields without a column survive")
            #expect(device.device.isReplacementDevice == true)
            #expect(device.fetchGeneration == 3)
        }
    }

    @Test func anUnusablePathIsAClearError() throws {
        #expect(throws: StoreError(.unavailable)) { try SQLiteStore(path: "/proc/ade/nowhere.sqlite") }
    }

    @Test func theFileHoldsNoSecretInClear() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let box = SecretBox(key: MasterKey.generate())
            let token = try await store.createToken(
                name: "T",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            let secret = "CS_" + String(repeating: "5ec7", count: 10)
            try await store.setSecrets(
                SealedTokenSecrets(credentials: box.seal(secret, context: "token/\(token.id)/credentials")),
                tokenID: token.id
            )
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for suffix in ["-wal", "-shm"] {
                if let extra = try? Data(contentsOf: URL(fileURLWithPath: path + suffix)) { bytes += extra }
            }
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
            #expect(bytes.range(of: Data("5ec75ec7".utf8)) == nil)
        }
    }
}
