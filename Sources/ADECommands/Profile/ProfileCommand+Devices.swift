import ADECore
import ADESupport
import ArgumentParser
import DEPClient
import Foundation

extension ProfileCommand {
    /// `ade profile assign --token NAME PROFILE (SERIAL… | --all)`
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a profile to devices now (an admin's choice: removed devices become automatic again)."
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "The profile's name.") var name: String
        @Argument(help: "Serial numbers.") var serials: [String] = []
        @Flag(name: .long, help: "Every present device of the token.") var all = false
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard all != !serials.isEmpty else {
                throw ValidationError("Name serial numbers, or give --all for every device of the token.")
            }
        }

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await ProfileCommand.withService(storeOptions) { service, store in
                    var chosen = serials.map { $0.uppercased() }
                    if all {
                        let token = try await store.token(named: token)
                        guard let token else { throw StoreError(.notFound, parameters: ["name": self.token]) }
                        chosen = try await store.allDevices(tokenID: token.id).map(\.serialNumber)
                    }
                    let report = try await service.assign(token: token, name: name, serialNumbers: chosen)
                    try await CommandAudit.record(
                        store,
                        "profile.assign",
                        "\(token)/\(name)",
                        after: ["devices": String(chosen.count)]
                    )
                    let records = try await store.assignments(
                        tokenID: try await store.token(named: token)?.id ?? 0,
                        serialNumbers: chosen
                    )
                    switch format {
                    case .json:
                        try Console.current.json(records.values.sorted { $0.serialNumber < $1.serialNumber })
                    case .text:
                        Console.current.line(
                            MessageCatalogue.bundled.string(
                                .profileAssigned,
                                locale: locale,
                                [
                                    "name": .string(name), "count": .int(chosen.count),
                                    "assigned": .int(report.outcomes[.assigned] ?? 0),
                                ]
                            )
                        )
                        for record in records.values.sorted(by: { $0.serialNumber < $1.serialNumber })
                        where record.status != .assigned {
                            Console.current.line(
                                "\(record.serialNumber)\t"
                                    + MessageCatalogue.bundled.string(record.status.explanationKey, locale: locale)
                            )
                        }
                    }
                }
            }
        }
    }

    /// `ade profile remove --token NAME SERIAL…`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the profile of devices; ade will not assign them again until you do."
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "Serial numbers.") var serials: [String]
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await ProfileCommand.withService(storeOptions) { service, store in
                    let results = try await service.removeProfile(
                        token: token,
                        serialNumbers: serials.map { $0.uppercased() }
                    )
                    try await CommandAudit.record(
                        store,
                        "profile.remove",
                        token,
                        after: ["devices": serials.map { $0.uppercased() }.sorted().joined(separator: ",")]
                    )
                    Console.current.line(
                        MessageCatalogue.bundled.string(
                            .profileRemoved,
                            locale: locale,
                            [
                                "count": .int(serials.count),
                                "removed": .int(results.values.filter { $0 == .success }.count),
                            ]
                        )
                    )
                    for (serial, result) in results.sorted(by: { $0.key < $1.key }) where result != .success {
                        Console.current.line("\(serial)\t\(result.rawValue)")
                    }
                }
            }
        }
    }

    /// `ade profile default --token NAME [PROFILE] [--family F] [--clear]`
    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or choose the profile every device (or a family) receives automatically."
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "The profile's name; without it, the defaults are shown.") var name: String?
        @Option(name: .long, help: "Only for this family (iPhone, iPad, Mac, AppleTV, Vision).") var family: String?
        @Flag(name: .long, help: "Remove the default (of --family, else the one for every device).") var clear = false
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if clear, name != nil { throw ValidationError("Give a profile name or --clear, not both.") }
        }

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let family = try ProfileService.family(family)
                try await ProfileCommand.withService(storeOptions) { service, store in
                    if name != nil || clear {
                        let before = try await service.defaultNames(token: token)
                        try await service.setDefault(token: token, name: name, family: family)
                        try await CommandAudit.record(
                            store,
                            "profile.default",
                            "\(token)/\(family?.rawValue ?? "all")",
                            before: before,
                            after: try await service.defaultNames(token: token)
                        )
                        Self.printSet(token: token, name: name, family: family, locale: locale)
                        return
                    }
                    let defaults = try await service.defaultNames(token: token)
                    switch format {
                    case .json:
                        try Console.current.json(defaults)
                    case .text:
                        for (family, profile) in defaults.sorted(by: { $0.key < $1.key }) {
                            Console.current.line("\(family)\t\(profile)")
                        }
                    }
                }
            }
        }

        static func printSet(token: String, name: String?, family: DeviceFamily?, locale: MessageLocale) {
            let catalogue = MessageCatalogue.bundled
            let scope = family?.rawValue ?? catalogue.string(.profileFamilyAll, locale: locale)
            Console.current.line(
                name.map {
                    catalogue.string(
                        .profileDefaultSet,
                        locale: locale,
                        ["name": .string($0), "token": .string(token), "family": .string(scope)]
                    )
                }
                    ?? catalogue.string(
                        .profileDefaultCleared,
                        locale: locale,
                        ["token": .string(token), "family": .string(scope)]
                    )
            )
        }
    }
}
