import ADECore
import ADESQLite
import ArgumentParser
import DEPClient
import Foundation

/// `ade devices list [--token NAME] [--include-removed] [--limit N] [--format json|text]`
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "The devices ade keeps in step with Apple.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices, by serial number.")
        @Option(name: .long, help: "Only this token's devices.") var token: String?
        @Flag(name: .long, help: "Include devices that left their MDM server.") var includeRemoved = false
        @Option(name: .long, help: "At most this many devices.") var limit: Int = 1000
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withStore { store in
                    var tokens = try await store.tokens()
                    if let token {
                        tokens = tokens.filter { $0.name.caseInsensitiveCompare(token) == .orderedSame }
                        guard !tokens.isEmpty else { throw StoreError(.notFound, parameters: ["name": token]) }
                    }
                    var rows: [(token: String, device: StoredDevice)] = []
                    for entry in tokens where rows.count < limit {
                        var after: String?
                        while rows.count < limit {
                            let page = try await store.devices(
                                tokenID: entry.id,
                                after: after,
                                limit: min(1000, limit - rows.count),
                                includeRemoved: includeRemoved
                            )
                            rows += page.map { (entry.name, $0) }
                            guard page.count == 1000, let last = page.last else { break }
                            after = last.serialNumber
                        }
                    }
                    switch format {
                    case .json:
                        let objects: [[String: Any]] = rows.map { row in
                            var object: [String: Any] = [
                                "token": row.token, "serial_number": row.device.serialNumber,
                            ]
                            let device = row.device.device
                            if let model = device.model { object["model"] = model }
                            if let family = device.deviceFamily { object["device_family"] = family.rawValue }
                            if let status = device.profileStatus { object["profile_status"] = status.rawValue }
                            if let uuid = device.profileUUID { object["profile_uuid"] = uuid }
                            if let removed = row.device.removedAt { object["removed_at"] = DEPJSON.formatDate(removed) }
                            return object
                        }
                        let data = try JSONSerialization.data(
                            withJSONObject: objects,
                            options: [.prettyPrinted, .sortedKeys]
                        )
                        Console.current.line(String(decoding: data, as: UTF8.self))
                    case .text:
                        guard !rows.isEmpty else {
                            Console.current.line(MessageCatalogue.bundled.string(.devicesEmpty, locale: locale))
                            return
                        }
                        for row in rows {
                            let device = row.device.device
                            let fields = [
                                device.serialNumber, device.deviceFamily?.rawValue ?? "-", device.model ?? "-",
                                device.profileStatus?.rawValue ?? "-", row.token,
                                row.device.removedAt.map {
                                    MessageCatalogue.bundled.string(
                                        .devicesRemovedOn,
                                        locale: locale,
                                        ["date": .string(DEPJSON.formatDate($0))]
                                    )
                                } ?? "",
                            ]
                            Console.current.line(fields.joined(separator: "\t"))
                        }
                    }
                }
            }
        }
    }
}
