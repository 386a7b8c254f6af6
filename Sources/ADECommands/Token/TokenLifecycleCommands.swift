import ADECore
import ArgumentParser
import DEPClient
import Foundation
import ServerToken

/// Labelled lines aligned on their labels.
func alignedLines(_ rows: [(String, String)]) -> String {
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { label, value in
        // A row without a label continues the one above it (the numbered steps): no colon of its own.
        (label.isEmpty ? " " : "\(label):") + String(repeating: " ", count: width - label.count + 1) + value
    }
    .joined(separator: "\n")
}

/// `ade token create NAME [--url URL] [--common-name CN]`
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token with its key pair, and print the certificate to upload to ABM.",
        discussion: "The certificate (PEM) goes to standard output, so 'ade token create NAME > NAME.pem' saves it."
    )
    @Argument(help: "The token's name (unique).") var name: String
    @Option(name: .long, help: "The service's base URL; anything but Apple's needs --allow-custom-dep-url.") var url:
        String?
    @Option(name: .long, help: "The certificate's common name.") var commonName: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let baseURL = try url.map(parseServiceURL)
            try await storeOptions.withTokenService { service, store, _ in
                let (token, certificate) = try await service.create(
                    name: name,
                    baseURL: baseURL,
                    commonName: commonName
                )
                try await CommandAudit.record(store, "token.create", token.name, after: token.auditFields)
                Console.current.writeOut(certificate.pemRepresentation)
                Console.current.note(
                    MessageCatalogue.bundled.string(.tokenCreateNext, locale: locale, ["name": .string(token.name)])
                )
            }
        }
    }
}

/// `ade token certificate NAME [--new]`
struct TokenCertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Print a token's certificate for ABM; --new makes a new key pair first."
    )
    @Argument(help: "The token's name.") var name: String
    @Flag(
        name: .long,
        help: "Make a new (staging) key pair; the current one works until a token for the new one is uploaded."
    )
    var new = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            try await storeOptions.withTokenService { service, store, _ in
                if new {
                    Console.current.writeOut(try await service.newCertificate(name: name).pemRepresentation)
                    try await CommandAudit.record(store, "token.certificate", name)
                    Console.current.note(
                        MessageCatalogue.bundled.string(.tokenCertificateNew, locale: locale, ["name": .string(name)])
                    )
                } else if let certificate = try await service.certificate(name: name) {
                    Console.current.writeOut(certificate.pemRepresentation)
                }
            }
        }
    }
}

/// `ade token upload NAME FILE.p7m [--force]` and `ade token renew NAME FILE.p7m [--force]`
struct TokenUploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a server token (.p7m) downloaded from ABM onto a token: its first one, or a renewal.",
        aliases: ["renew"]
    )
    @Argument(help: "The token's name.") var name: String
    @Argument(help: "The server token file (.p7m).") var file: String
    @Flag(name: .long, help: "Accept a token of another MDM server than the one this token holds.") var force = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let bytes = try FileAccess.read(file, limit: ServerTokenFile.maximumSize)
            try await storeOptions.withTokenService { service, store, _ in
                let before = try await service.token(named: name).auditFields
                let outcome = try await service.upload(name: name, file: bytes, force: force)
                try await CommandAudit.record(
                    store,
                    before["expires_at"] == nil ? "token.upload" : "token.renew",
                    name,
                    before: before,
                    after: outcome.token.auditFields
                )
                Self.report(outcome, locale: locale)
            }
        }
    }

    static func report(_ outcome: TokenService.UploadOutcome, locale: MessageLocale) {
        let catalogue = MessageCatalogue.bundled
        let token = outcome.token
        let none = catalogue.string(.tokenValueNone, locale: locale)
        let arguments: [String: MessageArgument] = [
            "name": .string(token.name),
            "server": .string(token.serverName ?? none),
            "organisation": .string(token.organisationName ?? none),
            "expiry": .string(token.accessTokenExpiry.map(OAuthCredentials.formatTimestamp) ?? none),
            "code": .string(outcome.appleError?.code.rawValue ?? ""),
        ]
        let key: MessageKey
        switch outcome.kind {
        case .stored: key = .tokenUploadStored
        case .storedUnconfirmed: key = .tokenUploadStoredUnconfirmed
        case .renewed: key = .tokenUploadRenewed
        case .pending: key = .tokenUploadPending
        }
        Console.current.line(catalogue.string(key, locale: locale, arguments))
        if let error = outcome.appleError {
            let (message, remedy) = catalogue.describe(error, locale: locale)
            Console.current.line("\(message) \(remedy)")
        }
        if outcome.consumerKeyChanged {
            Console.current.line(catalogue.string(.tokenUploadConsumerKeyChanged, locale: locale))
        }
        if outcome.usedNewCertificate, outcome.kind == .renewed || outcome.kind == .pending {
            Console.current.line(catalogue.string(.tokenUploadNewCertificate, locale: locale))
        }
    }
}

/// `ade token import NAME --key KEY.pem FILE.p7m [--url URL]`
struct TokenImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Adopt a private key and its server token from another tool (NanoDEP, MicroMDM)."
    )
    @Argument(help: "The new token's name.") var name: String
    @Option(name: .long, help: "The private key the token was encrypted to (PEM).") var key: String
    @Argument(help: "The server token file (.p7m).") var file: String
    @Option(name: .long, help: "The service's base URL; anything but Apple's needs --allow-custom-dep-url.") var url:
        String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let privateKey = try TokenPrivateKey(
                pemRepresentation: String(decoding: try FileAccess.read(key, limit: 64 * 1024), as: UTF8.self)
            )
            let bytes = try FileAccess.read(file, limit: ServerTokenFile.maximumSize)
            let baseURL = try url.map(parseServiceURL)
            try await storeOptions.withTokenService { service, store, _ in
                let outcome = try await service.importToken(
                    name: name,
                    privateKey: privateKey,
                    file: bytes,
                    baseURL: baseURL
                )
                try await CommandAudit.record(
                    store,
                    "token.import",
                    name,
                    after: outcome.token.auditFields
                )
                TokenUploadCommand.report(outcome, locale: locale)
            }
        }
    }
}

/// `ade token list [--format json|text]`
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens.")
    @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            try await storeOptions.withStore { store in
                let summaries = try await TokenOverview.all(store: store, now: Date()).map(TokenSummary.init)
                switch format {
                case .json:
                    Console.current.line(try TokenSummary.json(summaries))
                case .text:
                    guard !summaries.isEmpty else {
                        Console.current.line(MessageCatalogue.bundled.string(.tokenListEmpty, locale: locale))
                        return
                    }
                    for summary in summaries {
                        Console.current.line(summary.text(locale: locale, detailed: false) + "\n")
                    }
                }
            }
        }
    }
}

/// `ade token show NAME [--format json|text]`
struct TokenShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one token.")
    @Argument(help: "The token's name.") var name: String
    @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            try await storeOptions.withTokenService { service, store, _ in
                let token = try await service.token(named: name)
                let summary = TokenSummary(overview: try await TokenOverview.make(token, store: store, now: Date()))
                switch format {
                case .json: Console.current.line(try TokenSummary.json(summary))
                case .text: Console.current.line(summary.text(locale: locale, detailed: true))
                }
            }
        }
    }
}

/// `ade token delete NAME --yes`
struct TokenDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a token with its private keys, devices and profiles (needs --yes)."
    )
    @Argument(help: "The token's name.") var name: String
    @Flag(name: .long, help: "Confirm the deletion.") var yes = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            try await storeOptions.withTokenService { service, store, _ in
                let token = try await service.token(named: name)
                let catalogue = MessageCatalogue.bundled
                guard yes else {
                    let count = try await store.deviceCount(tokenID: token.id, includeRemoved: true)
                    Console.current.note(
                        catalogue.string(
                            .tokenDeleteWarning,
                            locale: locale,
                            ["name": .string(token.name), "count": .int(count)]
                        )
                    )
                    throw CommandError(.confirmationRequired, parameters: ["flag": "--yes"])
                }
                try await service.delete(name: token.name)
                try await CommandAudit.record(store, "token.delete", token.name, before: token.auditFields)
                Console.current.line(catalogue.string(.tokenDeleteDone, locale: locale, ["name": .string(token.name)]))
            }
        }
    }
}

/// A `--url` value as a service base URL.
func parseServiceURL(_ text: String) throws -> URL {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
        url.host != nil
    else {
        throw CommandError(.urlInvalid, parameters: ["url": text])
    }
    return url
}
