import ADECore
import ADETesting
import Foundation
import Testing

@testable import ADESQLite

/// ``SQLiteStore/changeStamp()``: what the server's in-memory answers (API tokens, token list pages) rely on.
struct ChangeStampTests {
    static let url = URL(string: "https://mdmenrollment.apple.com")!
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aFileStoreSeesEveryCommitOfEveryConnectionAndNothingElse() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("ade.sqlite")
            let store = try SQLiteStore(path: path)
            let first = store.changeStamp()
            _ = try await store.tokens()
            _ = try await store.apiTokens()
            #expect(store.changeStamp() == first, "reads change nothing")

            _ = try await store.createToken(name: "A", baseURL: Self.url, createdAt: Self.now)
            let second = store.changeStamp()
            #expect(second != first, "a commit of this store's writer")
            #expect(store.changeStamp() == second)

            // Another process's connection to the same file, as `ade api-token revoke` is while `ade serve` runs.
            let other = try SQLiteStore(path: path)
            _ = try await other.createToken(name: "B", baseURL: Self.url, createdAt: Self.now)
            let third = store.changeStamp()
            #expect(third != second, "a commit of another connection")
            #expect(store.changeStamp() == third)
        }
    }

    @Test func aStoreInMemoryCountsItsCommits() async throws {
        let store = try SQLiteStore.inMemory()
        let first = store.changeStamp()
        _ = try await store.tokens()
        #expect(store.changeStamp() == first)
        _ = try await store.createToken(name: "A", baseURL: Self.url, createdAt: Self.now)
        #expect(store.changeStamp() != first)
    }

    @Test func theMemoryStoreNeverRepeatsAStamp() {
        let store = MemoryStore()
        #expect(store.changeStamp() != store.changeStamp(), "it does not track changes, so nothing is kept")
    }
}
