import ADECore
import ADENotify
import ADESupport
import ArgumentParser
import Foundation
import Logging

/// `ade webhook add|list|delete|deliveries|test`: the receivers of the outbox's events.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhooks that receive ade's events (devices added, modified, removed; assignment results).",
        discussion: """
            Each delivery is a POST of {"id", "type", "created_at", "data"} with X-ADE-Event, X-ADE-Delivery and \
            X-ADE-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook's secret>. \
            Events go in order; a receiver that does not answer 2xx gets the same event again after 5 s, doubling \
            to 10 minutes. 'ade serve' delivers them.
            """,
        subcommands: [Add.self, List.self, Delete.self, Deliveries.self, Test.self]
    )

    /// `ade webhook add NAME URL [--allow-private-network]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a webhook; prints its signing secret once."
        )
        @Argument(help: "A name for the webhook.") var name: String
        @Argument(help: "The receiver's URL (https://…).") var url: String
        @Flag(name: .long, help: "Allow loopback, link-local and private addresses (refused by default).")
        var allowPrivateNetwork = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let (webhook, secret) = try await storeOptions.withWebhooks { service, store, _ in
                    let added = try await service.add(name: name, url: url, allowsPrivateNetwork: allowPrivateNetwork)
                    try await CommandAudit.record(
                        store,
                        "webhook.create",
                        added.webhook.name,
                        after: ["url": added.webhook.maskedURL]
                    )
                    return added
                }
                Console.current.line(secret)
                Console.current.note(
                    MessageCatalogue.bundled.string(
                        .webhookAdded,
                        locale: locale,
                        ["name": .string(webhook.name), "url": .string(webhook.maskedURL)]
                    )
                )
            }
        }
    }

    /// `ade webhook list [--format json]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The webhooks, URLs masked.")
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withWebhooks { service, _, _ in
                    let hooks = try await service.list()
                    switch format {
                    case .json:
                        try Console.current.json(
                            hooks.map { hook in
                                [
                                    "name": hook.name, "url": hook.maskedURL, "last_event_id": String(hook.lastEventID),
                                    "failures": String(hook.failures),
                                    "private_network": hook.allowsPrivateNetwork ? "allowed" : "refused",
                                ]
                            }
                        )
                    case .text:
                        for hook in hooks {
                            Console.current.line(
                                [hook.name, hook.maskedURL, "after \(hook.lastEventID)", "failures \(hook.failures)"]
                                    .joined(separator: "\t")
                            )
                        }
                    }
                }
            }
        }
    }

    /// `ade webhook delete NAME --yes`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook and its delivery log.")
        @Argument(help: "The webhook's name.") var name: String
        @Flag(name: .long, help: "Confirm.") var yes = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                guard yes else { throw CommandError(.confirmationRequired, parameters: ["flag": "--yes"]) }
                try await storeOptions.withWebhooks { service, store, _ in
                    try await service.delete(named: name)
                    try await CommandAudit.record(store, "webhook.delete", name)
                }
            }
        }
    }

    /// `ade webhook deliveries NAME [--limit N] [--format json]`
    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A webhook's delivery log, newest first.")
        @Argument(help: "The webhook's name.") var name: String
        @Option(name: .long, help: "At most this many attempts.") var limit: Int = 50
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors(locale: global.locale) {
                try await storeOptions.withWebhooks { service, _, _ in
                    let log = try await service.deliveries(named: name, limit: limit)
                    try WebhookCommand.print(log, format: format, locale: global.locale)
                }
            }
        }
    }

    /// A delivery log as `ade webhook deliveries` and `ade alert channel deliveries` print it: one JSON array, or
    /// a header and a line per attempt (a sentence when there is none yet).
    static func print(_ log: [WebhookDelivery], format: OutputFormat, locale: MessageLocale) throws {
        switch format {
        case .json:
            try Console.current.json(log.map(DeliveryJSON.init))
        case .text:
            let catalogue = MessageCatalogue.bundled
            guard !log.isEmpty else {
                Console.current.line(catalogue.string(.deliveriesNone, locale: locale))
                return
            }
            Console.current.line(catalogue.string(.deliveriesHeader, locale: locale))
            for delivery in log {
                let fields = [
                    Timestamp.format(delivery.at), String(delivery.eventID), String(delivery.attempt),
                    delivery.statusCode.map(String.init) ?? "-", delivery.error ?? "ok",
                    String(delivery.durationMilliseconds),
                ]
                Console.current.line(fields.joined(separator: "\t"))
            }
        }
    }

    /// One attempt in `--format json`.
    struct DeliveryJSON: Encodable {
        var at: String
        var event: Int64
        var attempt: Int
        var status: Int?
        var result: String
        var ms: Int

        init(_ delivery: WebhookDelivery) {
            at = Timestamp.format(delivery.at)
            event = delivery.eventID
            attempt = delivery.attempt
            status = delivery.statusCode
            result = delivery.error ?? "ok"
            ms = delivery.durationMilliseconds
        }
    }

    /// `ade webhook test NAME`
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a signed 'ping' to a webhook now and say what the receiver answered."
        )
        @Argument(help: "The webhook's name.") var name: String
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withWebhooks { webhooks, store, box in
                    let hook = try await webhooks.webhook(named: name)
                    let service = WebhookDeliveryService(
                        store: store,
                        box: box,
                        timeSource: SystemTimeSource(),
                        logger: Logger.commandLine("ade.webhook")
                    )
                    let (status, error) = try await service.ping(hook)
                    if let error { throw error }
                    Console.current.line(
                        MessageCatalogue.bundled.string(
                            .webhookPinged,
                            locale: locale,
                            ["name": .string(hook.name), "status": .int(status ?? 0)]
                        )
                    )
                }
            }
        }
    }
}
