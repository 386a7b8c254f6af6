import ADECore
import ADETesting
import Foundation
import Logging
import Testing

@testable import ADEPostgres

/// The schema on a real PostgreSQL server.
@Suite(.timeLimit(.minutes(2)))
struct PostgresMigrationTests {
    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let url = try await PostgresTestServer.newDatabase()
        let location = try PostgresLocation(url: url, environment: [:])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // Three nodes at once: the advisory lock lets one migrate; the others wait, then find nothing to do.
        let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await PostgresStore.withStore(
                        location,
                        logger: logger,
                        connectingWithin: PostgresTestServer.connectionLimit
                    ) { store in
                        try await store.schemaVersions()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let latest = PostgresSchema.migrations.map(\.version)
        #expect(versions == [latest, latest, latest])
        let recorded = try PostgresTestServer.psql(url, "SELECT count(*) FROM schema_migrations")
        #expect(recorded == String(latest.count))
    }

    @Test func theAuditLogIsAppendOnly() async throws {
        let url = try await PostgresTestServer.newDatabase()
        let location = try PostgresLocation(url: url, environment: [:])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        try await PostgresStore.withStore(
            location,
            logger: logger,
            connectingWithin: PostgresTestServer.connectionLimit
        ) { _ in }
        try PostgresTestServer.psql(
            url,
            "INSERT INTO audit_log (at, actor, source, action, target) VALUES (now(), 'a', 'cli', 'x', 'y')"
        )
        #expect(throws: PostgresTestServer.Failure.self) {
            try PostgresTestServer.psql(url, "UPDATE audit_log SET actor = 'b'")
        }
        #expect(throws: PostgresTestServer.Failure.self) { try PostgresTestServer.psql(url, "DELETE FROM audit_log") }
        #expect(try PostgresTestServer.psql(url, "SELECT actor FROM audit_log") == "a")
    }

    @Test func anUnreachableServerIsUnavailableWithoutThePassword() async throws {
        let location = try PostgresLocation(url: "postgres://ade:hunter2@127.0.0.1:1/ade", environment: [:])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let error = try await #require(throws: StoreError.self) {
            try await PostgresStore.withStore(location, logger: logger) { _ in }
        }
        #expect(error.code == .unavailable)
        #expect(!"\(error.parameters)".contains("hunter2"))
    }
}
