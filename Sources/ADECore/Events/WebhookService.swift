public import ADESupport
import Foundation
public import Logging

/// The webhooks that receive the outbox's events: added with a generated signing secret (shown once), their URL and
/// secret sealed with the master key, listed with the URL masked, deleted, and their delivery logs read. The CLI, the
/// API and the console go through it; the delivery service opens what it seals.
public struct WebhookService: Sendable {
    /// The sealing contexts of a webhook's URL and secret.
    public static let urlContext = "webhook.url"
    public static let secretContext = "webhook.secret"
    /// The longest name.
    public static let maximumNameLength = 64

    let store: any WebhookStore
    let box: SecretBox
    let timeSource: any TimeSource
    let logger: Logger

    public init(store: any WebhookStore, box: SecretBox, timeSource: any TimeSource, logger: Logger) {
        self.store = store
        self.box = box
        self.timeSource = timeSource
        self.logger = logger
    }

    /// Adds a webhook, which receives the events that happen from now on.
    /// - Parameter secret: The signing secret; nil generates one (`whsec_` and 256 random bits).
    /// - Returns: The webhook and its signing secret, which is never shown again.
    /// - Throws: ``WebhookError`` `name_required`, `name_invalid`, `url_invalid`, `exists`; nothing is stored then.
    public func add(name: String, url text: String, allowsPrivateNetwork: Bool, secret: String? = nil) async throws
        -> (webhook: WebhookEndpoint, secret: String)
    {
        let name = try Self.checkedName(
            name,
            required: WebhookError(.nameRequired),
            invalid: { WebhookError(.nameInvalid, parameters: ["name": $0]) }
        )
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else {
            // Never the URL as given: it may carry a credential.
            throw WebhookError(.urlInvalid, parameters: ["url": URL(string: trimmed).map(WebhookEndpoint.mask) ?? "—"])
        }
        let secret = secret ?? "whsec_" + AccessSecret.random()
        let box = self.box.pinned()
        do {
            let webhook = try await store.createWebhook(
                name: name,
                sealedURL: box.seal(url.absoluteString, context: Self.urlContext),
                sealedSecret: box.seal(secret, context: Self.secretContext),
                sealedWith: box.keyCheck,
                maskedURL: WebhookEndpoint.mask(url),
                allowsPrivateNetwork: allowsPrivateNetwork,
                at: timeSource.now()
            )
            logger.notice(
                "Change: webhook added",
                metadata: [
                    "webhook": "\(name)", "url": "\(webhook.maskedURL)", "private_network": "\(allowsPrivateNetwork)",
                ]
            )
            return (webhook, secret)
        } catch let error as StoreError where error.code == .duplicateName {
            throw WebhookError(.exists, parameters: ["name": name])
        }
    }

    /// A name trimmed, or `required` (empty) or `invalid` (over 64 characters, a slash or a hidden character, given
    /// the name cut to 64): the rule of webhooks and alert channels, which share their names.
    static func checkedName(_ name: String, required: some Error, invalid: (String) -> some Error) throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw required }
        guard name.count <= maximumNameLength,
            !name.contains("/"), !name.hasHiddenCharacters
        else {
            throw invalid(name.loggable(limit: maximumNameLength))
        }
        return name
    }

    /// Every webhook (not the alert channels), by name.
    public func list() async throws -> [WebhookEndpoint] {
        try await store.webhooks().filter { $0.channel == nil }
    }

    /// One webhook.
    /// - Throws: ``WebhookError`` `not_found`.
    public func webhook(named name: String) async throws -> WebhookEndpoint {
        guard let webhook = try await store.webhook(named: name), webhook.channel == nil else {
            throw WebhookError(.notFound, parameters: ["name": name])
        }
        return webhook
    }

    /// Deletes a webhook and its delivery log; events it had not received stay for the others.
    /// - Throws: ``WebhookError`` `not_found`.
    public func delete(named name: String) async throws {
        let webhook = try await webhook(named: name)
        try await store.deleteWebhook(id: webhook.id)
        logger.notice("Change: webhook deleted", metadata: ["webhook": "\(webhook.name)"])
    }

    /// A webhook's delivery log, newest first.
    /// - Throws: ``WebhookError`` `not_found`.
    public func deliveries(named name: String, limit: Int) async throws -> [WebhookDelivery] {
        let webhook = try await webhook(named: name)
        return try await store.deliveries(webhookID: webhook.id, limit: max(1, limit))
    }
}
