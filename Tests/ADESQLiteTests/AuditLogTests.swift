import ADECore
import Foundation
import GRDB
import Testing

@testable import ADESQLite

/// The audit log on SQLite: numbered in order, read both ways, exported as JSON lines, and append-only even for a
/// writer that goes around the store.
struct AuditLogTests {
    @Test func entriesAreKeptInOrderAndNeverChanged() async throws {
        let store = try SQLiteStore.inMemory()
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        for index in 1...3 {
            _ = try await store.appendAudit(
                AuditEntry(
                    at: at.addingTimeInterval(Double(index)),
                    actor: "os:alice",
                    source: .cli,
                    action: "token.delete",
                    target: "T\(index)",
                    before: ["name": "T\(index)", "server_name": "Campus"],
                    after: nil
                )
            )
        }
        let all = try await store.auditEntries(after: 0, limit: 10)
        #expect(all.map(\.id) == [1, 2, 3])
        #expect(all[0].before == ["name": "T1", "server_name": "Campus"] && all[0].after == nil)
        #expect(try await store.recentAudit(before: nil, limit: 2).map(\.target) == ["T3", "T2"])
        #expect(try await store.recentAudit(before: 2, limit: 5).map(\.target) == ["T1"])
        #expect(try await store.auditEntries(after: 2, limit: 10).map(\.target) == ["T3"])
        #expect(
            all[0].jsonLine
                == #"{"action":"token.delete","actor":"os:alice","after":null,"at":"2026-09-21T14:13:21Z","before":{"name":"T1","server_name":"Campus"},"id":1,"source":"cli","target":"T1"}"#
        )

        // Nobody rewrites history, not even with SQL.
        await #expect(throws: StoreError.self) {
            try await store.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'mallory'") }
        }
        await #expect(throws: StoreError.self) {
            try await store.write { db in try db.execute(sql: "DELETE FROM audit_log") }
        }
        #expect(try await store.auditEntries(after: 0, limit: 10) == all)
    }
}
