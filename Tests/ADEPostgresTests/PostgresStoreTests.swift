import ADECore
import ADETesting
import Foundation
import Logging
import Testing

@testable import ADEPostgres

/// The store battery on a real PostgreSQL server, each check on a database of its own.
@Suite(.timeLimit(.minutes(3)))
struct PostgresStoreTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` with a store on a new database.
    static func withStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        let location = try PostgresLocation(url: try await PostgresTestServer.newDatabase(), environment: [:])
        return try await PostgresStore.withStore(
            location,
            logger: logger,
            connectingWithin: PostgresTestServer.connectionLimit,
            body
        )
    }

    @Test(arguments: StoreConformance.checks)
    func passesTheStoreBattery(_ check: StoreConformance.Check) async throws {
        try await Self.withStore { store in try await check.run(on: store) }
    }
}
