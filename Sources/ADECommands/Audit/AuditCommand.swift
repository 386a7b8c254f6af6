import ADECore
import ADESupport
import ArgumentParser
import Foundation

/// `ade audit list|export`: the audit log of every change made from the console, the API and the command line.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log: who changed what, from where, with the values before and after.",
        subcommands: [List.self, Export.self]
    )

    /// `ade audit list [--limit N]`: the newest entries, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest entries, newest first.")
        @Option(name: .long, help: "At most this many entries.") var limit: Int = 50
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withStore { store in
                    for entry in try await store.recentAudit(before: nil, limit: max(1, limit)) {
                        Console.current.line(
                            [
                                String(entry.id), Timestamp.format(entry.at), entry.actor, entry.source.rawValue,
                                entry.action, entry.target,
                            ]
                            .joined(separator: "\t")
                        )
                    }
                }
            }
        }
    }

    /// `ade audit export [--after ID]`: every entry as JSON lines, oldest first, for a SIEM or an archive.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Every entry after --after as JSON lines, oldest first (id, at, actor, source, action, target, before, after)."
        )
        @Option(name: .long, help: "Only entries after this id (the last one an earlier export gave).") var after:
            Int64 = 0
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withStore { store in
                    var last = after
                    while true {
                        let page = try await store.auditEntries(after: last, limit: 1000)
                        for entry in page { Console.current.line(entry.jsonLine) }
                        guard let newest = page.last else { break }
                        last = newest.id
                    }
                }
            }
        }
    }
}
