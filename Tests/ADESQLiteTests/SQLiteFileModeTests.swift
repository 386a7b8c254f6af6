import ADECore
import ADETesting
import Foundation
import Testing

@testable import ADESQLite

/// The database holds password and API-token hashes, the inventory and the audit log: a new one is private.
struct SQLiteFileModeTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }

    @Test func aNewDatabaseIsCreatedForItsOwnerOnly() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("data/ade")
            let path = folder + "/ade.sqlite"
            let store = try SQLiteStore(path: path)
            _ = try await store.createToken(
                name: "T",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            #expect(try Self.mode(folder) == 0o700)
            #expect(try Self.mode(path) == 0o600)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                #expect(try Self.mode(path + suffix) == 0o600, "\(suffix) takes the database's mode")
            }
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test func anExistingFolderAndFileKeepTheirModes() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("shared.sqlite")
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640])
            let folderMode = try Self.mode(directory.url.path)
            _ = try SQLiteStore(path: path)
            #expect(try Self.mode(path) == 0o640)
            #expect(try Self.mode(directory.url.path) == folderMode)
        }
    }
}
