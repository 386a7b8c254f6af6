import ADECore
import ADETesting
import Foundation
import Testing

struct MasterKeyLoaderTests {
    @Test func createsAKeyFileOnlyForADatabaseWithoutSecrets() async throws {
        try await TemporaryDirectory.with { directory in
            let store: any ADEStore = MemoryStore()
            let path = directory.path("ade.sqlite.key")
            let (key, source) = try await MasterKeyLoader.load(environment: [:], keyFilePath: path, store: store)
            #expect(source == .newFile(path))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(try await store.keyCheckValue() == key.checkValue)
            let (again, againSource) = try await MasterKeyLoader.load(environment: [:], keyFilePath: path, store: store)
            #expect(againSource == .file(path))
            #expect(again.checkValue == key.checkValue)

            // With secrets stored and the key file gone, nothing is invented.
            let token = try await store.createToken(
                name: "T",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            try await store.setSecrets(SealedTokenSecrets(credentials: [1]), tokenID: token.id)
            try FileManager.default.removeItem(atPath: path)
            await #expect(throws: SecretError(.masterKeyMissing)) {
                try await MasterKeyLoader.load(environment: [:], keyFilePath: path, store: store)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            // The key from the environment works; a wrong one is refused.
            _ = try await MasterKeyLoader.load(
                environment: ["ADE_MASTER_KEY": key.base64],
                keyFilePath: path,
                store: store
            )
            await #expect(throws: SecretError(.wrongMasterKey)) {
                try await MasterKeyLoader.load(
                    environment: ["ADE_MASTER_KEY": MasterKey.generate().base64],
                    keyFilePath: path,
                    store: store
                )
            }
            await #expect(throws: SecretError(.invalidMasterKey)) {
                try await MasterKeyLoader.load(
                    environment: ["ADE_MASTER_KEY": "short"],
                    keyFilePath: path,
                    store: store
                )
            }
        }
    }
}
