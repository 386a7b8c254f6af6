import ADECore
import ADETesting
import Foundation
import GRDB
import Testing

@testable import ADESQLite

/// How the store uses its file: the write-ahead log copied back after a full fetch, the file mapped for readers only.
struct SQLiteFileTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// The devices a copy of the database file alone holds (without its `-wal`): what has been checkpointed.
    static func devicesInFileAlone(_ path: String, copyIn directory: TemporaryDirectory) throws -> Int {
        let copy = directory.path("copy-\(UUID().uuidString).sqlite")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        return try DatabaseQueue(path: copy).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM devices") }
            ?? 0
    }

    @Test func aCompletedFullFetchIsCopiedFromTheLogIntoTheFile() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let token = try await store.createToken(
                name: "T",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Self.now
            )
            await store.checkpoint()  // the schema and the token in the file
            func page(_ serials: [String], cursor: String, completes: Bool) async throws {
                _ = try await store.applyPage(
                    serials.map { DeviceRecord(serialNumber: $0, model: "iPad") },
                    cursor: SyncCursorState(phase: .fetch, cursor: cursor, fetchGeneration: 1),
                    completesFetch: completes,
                    tokenID: token.id,
                    now: Self.now
                )
            }
            try await page(["A1", "A2"], cursor: "c1", completes: false)
            #expect(
                try Self.devicesInFileAlone(path, copyIn: directory) == 0,
                "a page mid-fetch stays in the log (SQLite's own checkpoint comes at 32,768 pages)"
            )
            try await page(["A3"], cursor: "c2", completes: true)
            #expect(try Self.devicesInFileAlone(path, copyIn: directory) == 3, "the fetch is complete: all in the file")
            #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 3)
        }
    }

    @Test func readersMapTheFileAndTheWriterDoesNot() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStore(path: directory.path("ade.sqlite"))
            let reader = try await store.read { db in try Int.fetchOne(db, sql: "PRAGMA mmap_size") }
            let writer = try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA mmap_size") }
            #expect(reader == 2_147_418_112)
            #expect(writer == 0, "pages a mapping touches count as the writing process's memory")
        }
    }
}
