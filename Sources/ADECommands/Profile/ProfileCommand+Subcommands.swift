import ADECore
import ArgumentParser
import Foundation

extension ProfileCommand {
    /// `ade profile create --token NAME --name PROFILE --file PROFILE.json [--default [--family F]]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a profile, define it at Apple and keep it.")
        @Option(name: .long, help: "The token.") var token: String
        @Option(name: .long, help: "ade's name for the profile.") var name: String
        @Option(name: .long, help: "The profile as JSON, with Apple's keys.") var file: String
        @Flag(name: .long, help: "Make it the token's default profile.") var `default` = false
        @Option(name: .long, help: "With --default: only for this family (iPhone, iPad, Mac, AppleTV, Vision).")
        var family: String?
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let profile = try ProfileCommand.readProfile(file)
                let family = try ProfileService.family(family)
                try ProfileCommand.check(profile, locale: locale)
                try await ProfileCommand.withService(storeOptions) { service, store in
                    let stored = try await service.create(token: token, name: name, profile: profile)
                    if `default` { try await service.setDefault(token: token, name: name, family: family) }
                    try await CommandAudit.record(
                        store,
                        "profile.create",
                        "\(token)/\(name)",
                        after: ["uuid": stored.profileUUID ?? "", "default": `default` ? "yes" : "no"]
                    )
                    switch format {
                    case .json:
                        try Console.current.json(try await service.summaries([stored], token: token)[0])
                    case .text:
                        Console.current.line(
                            MessageCatalogue.bundled.string(
                                .profileCreated,
                                locale: locale,
                                [
                                    "name": .string(name), "version": .int(stored.version),
                                    "uuid": .string(stored.profileUUID ?? "-"),
                                ]
                            )
                        )
                        if `default` { Default.printSet(token: token, name: name, family: family, locale: locale) }
                    }
                }
            }
        }
    }

    /// `ade profile list --token NAME [--format json|text]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A token's profiles, by name.")
        @Option(name: .long, help: "The token.") var token: String
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await ProfileCommand.withService(storeOptions) { service, _ in
                    let summaries = try await service.summaries(try await service.list(token: token), token: token)
                    switch format {
                    case .json:
                        try Console.current.json(summaries)
                    case .text:
                        guard !summaries.isEmpty else {
                            Console.current.line(
                                MessageCatalogue.bundled.string(
                                    .profileListEmpty,
                                    locale: locale,
                                    ["token": .string(token)]
                                )
                            )
                            return
                        }
                        for summary in summaries {
                            Console.current.line(
                                [
                                    summary.name, "v\(summary.version)", summary.profileUUID ?? "-",
                                    summary.defaultFor.isEmpty ? "-" : summary.defaultFor.joined(separator: ","),
                                    String(summary.devices),
                                ].joined(separator: "\t")
                            )
                        }
                    }
                }
            }
        }
    }

    /// `ade profile show --token NAME PROFILE [--format json|text]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One profile: its fields as Apple has them.")
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "The profile's name.") var name: String
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await ProfileCommand.withService(storeOptions) { service, _ in
                    let stored = try await service.profile(token: token, named: name)
                    let summary = try await service.summaries([stored], token: token)[0]
                    switch format {
                    case .json:
                        try Console.current.json(summary)
                    case .text:
                        Console.current.line(
                            MessageCatalogue.bundled.string(
                                .profileShowHeader,
                                locale: locale,
                                [
                                    "name": .string(stored.name), "version": .int(stored.version),
                                    "uuid": .string(stored.profileUUID ?? "-"), "count": .int(summary.devices),
                                ]
                            )
                        )
                        // Apple's keys, one per line, as the file that defines it.
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                        Console.current.line(String(decoding: try encoder.encode(stored.profile), as: UTF8.self))
                    }
                }
            }
        }
    }

    /// `ade profile edit --token NAME PROFILE --file PROFILE.json`
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a profile's fields: a new definition at Apple that its devices move to."
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "The profile's name.") var name: String
        @Option(name: .long, help: "The new fields as JSON, with Apple's keys.") var file: String
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let profile = try ProfileCommand.readProfile(file)
                try ProfileCommand.check(profile, locale: locale)
                try await ProfileCommand.withService(storeOptions) { service, store in
                    let current = try await service.profile(token: token, named: name)
                    let using = try await service.devicesUsing(current)
                    let catalogue = MessageCatalogue.bundled
                    Console.current.note(
                        catalogue.string(
                            .profileEditPreview,
                            locale: locale,
                            ["name": .string(name), "count": .int(using)]
                        )
                    )
                    Console.current.note(catalogue.string(.profileEditEraseNote, locale: locale))
                    let edit = try await service.edit(token: token, name: name, profile: profile)
                    try await CommandAudit.record(
                        store,
                        "profile.edit",
                        "\(token)/\(name)",
                        after: ["version": String(edit.profile.version), "uuid": edit.profile.profileUUID ?? ""]
                    )
                    Console.current.line(
                        catalogue.string(
                            .profileEdited,
                            locale: locale,
                            [
                                "name": .string(name), "version": .int(edit.profile.version),
                                "moved": .int(edit.moved.outcomes[.assigned] ?? 0),
                                "skipped": .int(edit.skipped),
                                "count": .int(edit.moved.devices - (edit.moved.outcomes[.assigned] ?? 0)),
                            ]
                        )
                    )
                }
            }
        }
    }

    /// `ade profile delete --token NAME PROFILE --yes`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a profile (Apple keeps its definition; devices keep their assignment)."
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "The profile's name.") var name: String
        @Flag(name: .long, help: "Confirm.") var yes = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                guard yes else { throw CommandError(.confirmationRequired, parameters: ["flag": "--yes"]) }
                try await ProfileCommand.withService(storeOptions) { service, store in
                    try await service.delete(token: token, name: name)
                    try await CommandAudit.record(store, "profile.delete", "\(token)/\(name)")
                    Console.current.line(
                        MessageCatalogue.bundled.string(.profileDeleted, locale: locale, ["name": .string(name)])
                    )
                }
            }
        }
    }
}
