import ADECore
import ADEPostgres
import ADESQLite
import ADETesting
import DEPSimulator
import Foundation
import Logging
import Synchronization
import Testing

@testable import ADECommands

/// `ade store copy`: a populated SQLite installation moved into PostgreSQL, which then serves and syncs.
@Suite(.timeLimit(.minutes(3)))
struct StoreCopyTests {
    @Test func aPopulatedDatabaseIsCopiedTableByTableAndTheCopySyncs() async throws {
        let target = try await PostgresTestServer.newDatabase()
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Fleet", devices: 120)])) {
            harness in
            try await TemporaryDirectory.with { directory in
                let file = directory.path("ade.sqlite")
                let database = ["--database", file]
                try await CommandHarness.enroll("Fleet", harness: harness, directory: directory, database: database)
                let staff = try directory.write(
                    "staff.json",
                    Array(#"{"profile_name": "Staff", "url": "https://mdm.example.com/enroll"}"#.utf8)
                )
                for arguments in [
                    ["profile", "create", "--token", "Fleet", "--name", "Staff", "--file", staff, "--default"],
                    ["sync", "Fleet"], ["api-token", "create", "ci"],
                    ["webhook", "add", "hook", "https://hooks.example.com/ade"],
                ] {
                    let result = await CommandHarness.run(arguments + database)
                    #expect(result.status == 0, "\(arguments): \(result.error)")
                }
                let user = try await ServeCommandTests.adeOffThePool(
                    ["user", "add", "admin", "--password-stdin"] + database,
                    input: "correct horse battery staple\n"
                )
                #expect(user.status == 0, "\(user.error)")

                let copied = try await ServeCommandTests.adeOffThePool(
                    ["store", "copy", "--from", file, "--to", target],
                    environment: ["LANG": "en"]
                )
                #expect(copied.status == 0, "\(copied.error)")
                #expect(copied.output.contains("devices: 120 rows"), "\(copied.output)")
                #expect(copied.output.contains("Copied \(StoreTables.all.count) tables"))

                // Every table holds the same rows in both stores, compared here independently of the command.
                let source = try SQLiteStore(path: file)
                let location = try PostgresLocation(url: target, environment: [:])
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                try await PostgresStore.withStore(
                    location,
                    logger: logger,
                    connectingWithin: PostgresTestServer.connectionLimit
                ) { copy in
                    for table in StoreTables.all {
                        let (before, after) = (try await source.checksum(of: table), try await copy.checksum(of: table))
                        #expect(before == after, "\(table.name)")
                        if ["tokens", "devices", "sync_runs", "profiles", "device_assignments", "outbox", "users"]
                            .contains(table.name)
                        {
                            #expect(before.rows > 0, "\(table.name) was populated")
                        }
                    }
                }

                // A second copy into the same database is refused and changes nothing.
                let again = try await ServeCommandTests.adeOffThePool(
                    ["store", "copy", "--from", file, "--to", target],
                    environment: ["LANG": "en"]
                )
                #expect(again.status == 1)
                #expect(again.error.contains("copy_target_not_empty"), "\(again.error)")

                // The copy serves and syncs with the same key: secrets sealed under it read back.
                let key = ["ADE_MASTER_KEY_FILE": file + ".key", "ADE_MASTER_KEY": "", "LANG": "en"]
                let synced = try await ServeCommandTests.adeOffThePool(
                    ["sync", "Fleet", "--database", target, "--allow-custom-dep-url"],
                    environment: key
                )
                #expect(synced.status == 0, "\(synced.error)")
                let devices = try await ServeCommandTests.adeOffThePool(
                    ["devices", "list", "--token", "Fleet", "--format", "csv", "--database", target],
                    environment: key
                )
                #expect(devices.status == 0, "\(devices.error)")
                #expect(devices.output.split(separator: "\n").count == 121, "a header and 120 devices")
                let next = try PostgresTestServer.psql(target, "SELECT nextval(pg_get_serial_sequence('tokens', 'id'))")
                #expect(next == "2", "numbering goes on after the copied ids")
            }
        }
    }

    @Test func aSourceWrittenDuringTheCopyKeepsNothing() async throws {
        let target = try await PostgresTestServer.newDatabase()
        try await TemporaryDirectory.with { directory in
            let source = try SQLiteStore(path: directory.path("ade.sqlite"))
            _ = try await source.createToken(
                name: "Fleet",
                baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                createdAt: Date()
            )
            let location = try PostgresLocation(url: target, environment: [:])
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            try await PostgresStore.withStore(
                location,
                logger: logger,
                connectingWithin: PostgresTestServer.connectionLimit
            ) { copy in
                let error = try await #require(throws: CommandError.self) {
                    try await StoreCommand.Copy.copy(from: WrittenDuringCopy(store: source), into: copy)
                }
                #expect(error.code == .copyMismatch && error.parameters["table"] == "audit_log")
                #expect(try await copy.firstNonEmptyTable() == nil, "nothing was kept")
            }
        }
    }

    @Test func onlySQLiteIntoPostgreSQL() async throws {
        let result = try await ServeCommandTests.adeOffThePool(
            ["store", "copy", "--from", "postgres://db/ade", "--to", "postgres://db/other"],
            environment: ["LANG": "en"]
        )
        #expect(result.status == 1)
        #expect(result.error.contains("copy_target_invalid"), "\(result.error)")
        let missing = try await ServeCommandTests.adeOffThePool(
            ["store", "copy", "--from", "/nonexistent/ade.sqlite", "--to", "postgres://db/ade"],
            environment: ["LANG": "en"]
        )
        #expect(missing.status == 1)
        #expect(missing.error.contains("database_missing"), "\(missing.error)")
    }
}

/// The real SQLite store, written to once while the copy reads it, as an `ade serve` left running beside
/// `ade store copy` would: an audit entry appended right after the copy read the audit log.
private final class WrittenDuringCopy: TableReading {
    let store: SQLiteStore
    let written = Mutex(false)

    init(store: SQLiteStore) {
        self.store = store
    }

    func rows(of table: StoreTable, after: Int64?, limit: Int) async throws -> [[StoredValue]] {
        let rows = try await store.rows(of: table, after: after, limit: limit)
        if table.name == "audit_log",
            !written.withLock({ written in
                defer { written = true }; return written
            })
        {
            _ = try await store.appendAudit(
                AuditEntry(at: Date(), actor: "admin", source: .console, action: "token.sync", target: "Fleet")
            )
        }
        return rows
    }
}
