import ADECore
import ADEServer
import ArgumentParser
import Foundation

/// `--scope read|write`.
enum ScopeArgument: String, ExpressibleByArgument, CaseIterable {
    case read, write

    var scope: APIToken.Scope { self == .read ? .read : .write }
}

/// `ade api-token create|list|revoke`: bearer tokens for `/api/v1`.
struct APITokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-token",
        abstract: "Manage API tokens for /api/v1.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token; its value is printed once and never stored (only its SHA-256)."
        )
        @Argument(help: "A name for the token (what uses it).") var name: String
        @Option(name: .long, help: "read (GET only) or write.") var scope: ScopeArgument = .read
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withAccess { access, store in
                    let (token, value) = try await access.createAPIToken(name: name, scope: scope.scope)
                    try await CommandAudit.record(
                        store,
                        "api_token.create",
                        token.name,
                        after: ["scope": token.scope.rawValue]
                    )
                    switch format {
                    case .json:
                        try Console.current.json(["name": token.name, "scope": token.scope.rawValue, "token": value])
                    case .text:
                        // The token alone on standard output, so that T=$(ade api-token create …) holds it.
                        Console.current.line(value)
                        Console.current.note(
                            MessageCatalogue.bundled.string(
                                .apiTokenCreated,
                                locale: locale,
                                ["name": .string(token.name), "scope": .string(token.scope.rawValue)]
                            )
                        )
                    }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API tokens (never their values).")
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        struct Entry: Encodable {
            var name: String
            var scope: String
            var createdAt: Date
            var lastUsedAt: Date?
            enum CodingKeys: String, CodingKey {
                case name, scope
                case createdAt = "created_at"
                case lastUsedAt = "last_used_at"
            }
        }

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let tokens = try await storeOptions.withStore { try await $0.apiTokens() }
                switch format {
                case .json:
                    try Console.current.json(
                        tokens.map {
                            Entry(
                                name: $0.name,
                                scope: $0.scope.rawValue,
                                createdAt: $0.createdAt,
                                lastUsedAt: $0.lastUsedAt
                            )
                        }
                    )
                case .text:
                    let catalogue = MessageCatalogue.bundled
                    if tokens.isEmpty { Console.current.line(catalogue.string(.apiTokenNone, locale: locale)) }
                    let formatter = ISO8601DateFormatter()
                    for token in tokens {
                        let used =
                            token.lastUsedAt.map(formatter.string(from:))
                            ?? catalogue.string(.apiTokenNeverUsed, locale: locale)
                        Console.current.line("\(token.name)\t\(token.scope.rawValue)\t\(used)")
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token at once.")
        @Argument(help: "The token's name.") var name: String
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withAccess { access, store in
                    try await access.revokeAPIToken(name: name)
                    try await CommandAudit.record(store, "api_token.revoke", name)
                    Console.current.line(
                        MessageCatalogue.bundled.string(.apiTokenRevoked, locale: locale, ["name": .string(name)])
                    )
                }
            }
        }
    }
}
