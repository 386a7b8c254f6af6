import ADECore
import ADENotify
import ADESupport
import ArgumentParser
import Foundation
import Logging

/// `ade alert channel add|list|test|delete|deliveries`: where alerts go when nobody is looking at the console.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Alerts about ADE tokens: the channels they are sent to.",
        subcommands: [Channel.self]
    )

    struct Channel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "channel",
            abstract: "Alert channels: signed JSON webhook, Slack, Microsoft Teams (Workflows) or e-mail over SMTP.",
            discussion: """
                A channel receives every change of a token's state and each step of the expiry ladder (30, 14, 7 and \
                1 days before), written in its language, with retries (5 s doubling to 10 minutes) and a delivery \
                log. 'ade serve' sends them. URLs and SMTP passwords are stored sealed with the master key.
                """,
            subcommands: [Add.self, List.self, Test.self, Delete.self, Deliveries.self]
        )
    }
}

extension AlertCommand.Channel {
    /// `ade alert channel add NAME --kind KIND --url URL [--language TAG] [--from A --to B …]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an alert channel.")
        @Argument(help: "A name for the channel.") var name: String
        @Option(name: .long, help: "webhook, slack, teams or email.") var kind: String
        @Option(
            name: .long,
            help: "The receiver's URL; for email the SMTP server: smtp://USER@HOST:587 (STARTTLS) or smtps://…:465."
        )
        var url: String
        @Option(name: .long, help: "The language of the alerts (en, fr, id, de, es, pt-BR, ja). Default: --lang.")
        var language: String?
        @Option(name: .long, help: "Email: the sender's address.") var from: String?
        @Option(name: .long, help: "Email: a recipient (repeat for more).") var to: [String] = []
        @Flag(
            name: .long,
            help: "Email: read the SMTP password from the first line of standard input (or env ADE_SMTP_PASSWORD)."
        )
        var smtpPasswordStdin = false
        @Flag(name: .long, help: "Allow loopback, link-local and private addresses (refused by default).")
        var allowPrivateNetwork = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                var password = ProcessInfo.processInfo.environment["ADE_SMTP_PASSWORD"]
                if smtpPasswordStdin {
                    guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                        throw CommandError(.passwordRequired, parameters: [:])
                    }
                    password = line
                }
                guard let kind = AlertChannelKind(rawValue: kind.lowercased()) else {
                    throw AlertError(
                        .kindInvalid,
                        parameters: [
                            "kind": String(kind.prefix(40)),
                            "kinds": AlertChannelKind.allCases.map(\.rawValue).joined(separator: ", "),
                        ]
                    )
                }
                let (channel, secret) = try await storeOptions.withAlertChannels { service, store, _ in
                    let added = try await service.add(
                        name: name,
                        kind: kind,
                        url: url,
                        locale: language.map(MessageLocale.init) ?? locale,
                        from: from,
                        to: to,
                        password: password,
                        allowsPrivateNetwork: allowPrivateNetwork
                    )
                    try await CommandAudit.record(
                        store,
                        "alert_channel.create",
                        added.channel.name,
                        after: [
                            "kind": kind.rawValue, "target": added.channel.maskedURL,
                            "language": added.channel.locale ?? "en",
                        ]
                    )
                    return added
                }
                if let secret { Console.current.line(secret) }
                Console.current.note(
                    MessageCatalogue.bundled.string(
                        secret == nil ? .alertChannelAdded : .alertChannelAddedWithSecret,
                        locale: locale,
                        [
                            "name": .string(channel.name), "target": .string(channel.maskedURL),
                            "language": .string(channel.locale ?? "en"),
                        ]
                    )
                )
            }
        }
    }

    /// `ade alert channel list [--format json]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The alert channels, targets masked.")
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withAlertChannels { service, _, _ in
                    let channels = try await service.list()
                    switch format {
                    case .json:
                        try Console.current.json(
                            channels.map { channel in
                                [
                                    "name": channel.name, "kind": channel.channel?.rawValue ?? "",
                                    "target": channel.maskedURL, "language": channel.locale ?? "en",
                                    "last_event_id": String(channel.lastEventID), "failures": String(channel.failures),
                                ]
                            }
                        )
                    case .text:
                        for channel in channels {
                            Console.current.line(
                                [
                                    channel.name, channel.channel?.rawValue ?? "", channel.maskedURL,
                                    channel.locale ?? "en", String(channel.failures),
                                ]
                                .joined(separator: "\t")
                            )
                        }
                    }
                }
            }
        }
    }

    /// `ade alert channel test NAME`
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test alert through a channel now and say what its receiver answered."
        )
        @Argument(help: "The channel's name.") var name: String
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withAlertChannels { service, store, box in
                    let channel = try await service.channel(named: name)
                    let delivery = WebhookDeliveryService(
                        store: store,
                        box: box,
                        timeSource: SystemTimeSource(),
                        configuration: WebhookDeliveryService.Configuration(
                            extraCAFile: ProcessInfo.processInfo.environment["ADE_EXTRA_CA_FILE"]
                        ),
                        logger: Logger.commandLine("ade.alert")
                    )
                    let (status, error) = try await delivery.testChannel(channel)
                    if let error { throw error }
                    Console.current.line(
                        MessageCatalogue.bundled.string(
                            status == nil ? .alertChannelTestSent : .alertChannelTestAnswered,
                            locale: locale,
                            ["name": .string(channel.name), "status": .int(status ?? 0)]
                        )
                    )
                }
            }
        }
    }

    /// `ade alert channel delete NAME --yes`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an alert channel and its delivery log.")
        @Argument(help: "The channel's name.") var name: String
        @Flag(name: .long, help: "Confirm.") var yes = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                guard yes else { throw CommandError(.confirmationRequired, parameters: ["flag": "--yes"]) }
                try await storeOptions.withAlertChannels { service, store, _ in
                    try await service.delete(named: name)
                    try await CommandAudit.record(store, "alert_channel.delete", name)
                }
            }
        }
    }

    /// `ade alert channel deliveries NAME [--limit N] [--format json]`
    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A channel's delivery log, newest first.")
        @Argument(help: "The channel's name.") var name: String
        @Option(name: .long, help: "At most this many attempts.") var limit: Int = 50
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withAlertChannels { service, _, _ in
                    let log = try await service.deliveries(named: name, limit: limit)
                    try WebhookCommand.print(log, format: format, locale: global.locale)
                }
            }
        }
    }
}
