import ADECore
import ArgumentParser
import Foundation

/// `ade nodes`: the processes running `ade serve` on the database, from their heartbeats.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List the nodes running ade serve on the database.",
        discussion: """
            Each node records a heartbeat every 10 seconds: its id (also the holder of the sync leases it takes), \
            the address it serves at, its version, and the tokens it is syncing now. A node silent for 30 seconds \
            is marked as such; one silent for a day is forgotten. A node that stops gracefully leaves the list.
            """
    )

    @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    /// One node in `--format json`.
    struct Entry: Encodable {
        var id: String
        var address: String?
        var version: String
        var startedAt: Date
        var lastHeartbeatAt: Date
        var secondsSinceHeartbeat: Int
        var live: Bool
        var tokensHeld: Int

        enum CodingKeys: String, CodingKey {
            case id, address, version, live
            case startedAt = "started_at"
            case lastHeartbeatAt = "last_heartbeat_at"
            case secondsSinceHeartbeat = "seconds_since_heartbeat"
            case tokensHeld = "tokens_held"
        }

        init(_ node: ClusterNode, now: Date) {
            id = node.id
            address = node.address
            version = node.version
            startedAt = node.startedAt
            lastHeartbeatAt = node.seenAt
            secondsSinceHeartbeat = node.secondsSinceHeartbeat(at: now)
            live = node.isLive(at: now)
            tokensHeld = node.tokensHeld
        }
    }

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let now = Date()
            let entries = try await storeOptions.withStore { try await $0.nodes(now: now) }.map { Entry($0, now: now) }
            switch format {
            case .json:
                try Console.current.json(entries)
            case .text:
                let catalogue = MessageCatalogue.bundled
                if entries.isEmpty { Console.current.line(catalogue.string(.nodesNone, locale: locale)) }
                for entry in entries {
                    let seconds = MessageArgument.int(entry.secondsSinceHeartbeat)
                    Console.current.line(
                        catalogue.string(
                            .nodesNode,
                            locale: locale,
                            [
                                "id": .string(entry.id), "address": .string(entry.address ?? "-"),
                                "version": .string(entry.version), "seconds": seconds, "count": .int(entry.tokensHeld),
                            ]
                        )
                    )
                    if !entry.live {
                        Console.current.note(
                            catalogue.string(
                                .nodesSilent,
                                locale: locale,
                                ["id": .string(entry.id), "seconds": seconds]
                            )
                        )
                    }
                }
            }
        }
    }
}
