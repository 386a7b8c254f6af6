import ADECore
import ADEPostgres
import ADESQLite
import ArgumentParser
import Foundation
import Logging

/// `ade store copy`: moving a whole installation from SQLite to PostgreSQL.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move the database from one store to another.",
        subcommands: [Copy.self]
    )

    /// Copies every table of a SQLite database into an empty PostgreSQL database and verifies each.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite database into an empty PostgreSQL database, and check every table.",
            discussion: """
                Tokens with their sealed secrets and key check, devices and cursors, runs, state history, profiles, \
                assignment records, users, sessions, API tokens, webhooks, alert channels, the outbox and the audit \
                log are copied as they are, in one transaction, and each table is compared with its source (row \
                count and SHA-256) before it commits: either everything is there, or nothing. Stop ade serve on the \
                SQLite database first. Secrets stay sealed: the copy needs no master key, and the nodes on \
                PostgreSQL need the same one (ADE_MASTER_KEY_FILE).
                """
        )

        @Option(name: .long, help: "The SQLite database to copy.")
        var from: String

        @Option(name: .long, help: "The empty PostgreSQL database to copy into: a postgres:// URL.")
        var to: String

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let environment = ProcessInfo.processInfo.environment
                guard case .sqlite(let path) = try StoreFactory.Location(from, environment: environment) else {
                    throw CommandError(.copyTargetInvalid, parameters: ["value": from])
                }
                guard case .postgres(let target) = try StoreFactory.Location(to, environment: environment) else {
                    throw CommandError(.copyTargetInvalid, parameters: ["value": to])
                }
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CommandError(.databaseMissing, path: path)
                }
                let source = try SQLiteStore(path: path)
                let logger = Logger.commandLine("ade.store")
                let checked = try await PostgresStore.withStore(target, logger: logger) { destination in
                    try await Self.copy(from: source, into: destination)
                }
                let catalogue = MessageCatalogue.bundled
                for (table, sum) in checked {
                    Console.current.line(
                        catalogue.string(
                            .storeCopyTable,
                            locale: locale,
                            [
                                "table": .string(table.name), "count": .int(sum.rows),
                                "checksum": .string(String(sum.digest.prefix(16))),
                            ]
                        )
                    )
                }
                Console.current.line(
                    catalogue.string(
                        .storeCopyDone,
                        locale: locale,
                        ["tables": .int(checked.count), "database": .string(target.description)]
                    )
                )
            }
        }

        /// Copies every table in one transaction of the target, which commits only if each table's rows match the
        /// source's; the tables with their checksums.
        /// - Throws: ``CommandError`` `copy_target_not_empty`, `copy_mismatch`.
        static func copy(from source: some TableReading, into target: some TableWriting) async throws
            -> [(StoreTable, (rows: Int, digest: String))]
        {
            if let table = try await target.firstNonEmptyTable() {
                throw CommandError(.copyTargetNotEmpty, parameters: ["table": table])
            }
            var checked: [(StoreTable, (rows: Int, digest: String))] = []
            try await target.copyIn { insert in
                for table in StoreTables.all {
                    try await source.forEachPage(of: table) { rows in try await insert(rows, table) }
                }
            } verify: { table, copied in
                // The source read again, after the copy: a write to it meanwhile shows as a difference.
                guard try await source.checksum(of: table) == copied else {
                    throw CommandError(.copyMismatch, parameters: ["table": table.name])
                }
                checked.append((table, copied))
            }
            return checked
        }
    }
}
