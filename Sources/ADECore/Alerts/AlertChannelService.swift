public import ADESupport
public import Foundation
public import Logging

/// The alert channels: where alerts go when nobody is looking at the console. A channel is an outbox endpoint of a
/// kind (signed JSON webhook, Slack, Teams, e-mail) and a language that receives `token.state_changed` and
/// `token.expiry_reminder` events, written for people. Its URL (which carries the receiver's credential) and its
/// secret (a webhook's signing secret, an SMTP password) are sealed with the master key; only a masked target is
/// shown. The CLI, the API and the console go through it.
public struct AlertChannelService: Sendable {
    /// An e-mail channel's sealed URL: `smtp://[user@]host[:port]` (STARTTLS, 587 by default) or `smtps://…` (TLS,
    /// 465), with `from` and `to` (comma-separated) in its query.
    public struct EmailTarget: Sendable, Hashable {
        public var url: URL
        public var from: String
        public var to: [String]

        /// The SMTP server's host, port, user name and whether TLS starts with the first byte.
        public var host: String { url.host ?? "" }
        public var implicitTLS: Bool { url.scheme?.lowercased() == "smtps" }
        public var port: Int { url.port ?? (implicitTLS ? 465 : 587) }
        public var username: String? { url.user.flatMap { $0.removingPercentEncoding ?? $0 } }

        /// Reads an e-mail channel's URL.
        public init?(_ text: String) {
            guard let components = URLComponents(string: text), let url = components.url,
                let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps", url.host?.isEmpty == false
            else { return nil }
            let query = components.queryItems ?? []
            guard let from = query.first(where: { $0.name == "from" })?.value else { return nil }
            self.url = url
            self.from = from
            self.to = (query.first { $0.name == "to" }?.value ?? "").split(separator: ",").map(String.init)
        }
    }

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

    /// Adds a channel, which receives the alerts of what happens from now on.
    /// - Parameters:
    ///   - kind: What receives the alerts.
    ///   - url: The receiver's URL; for e-mail, the SMTP server's (`smtp://user@host:587`).
    ///   - locale: The language the alerts are written in.
    ///   - from: E-mail only: the sender's address.
    ///   - to: E-mail only: the recipients.
    ///   - password: E-mail only: the SMTP password (nil: no authentication).
    ///   - allowsPrivateNetwork: Whether the receiver may be on a loopback, link-local or private address.
    /// - Returns: The channel, and a webhook channel's signing secret (shown once; nil for other kinds).
    /// - Throws: ``AlertError``; nothing is stored then.
    public func add(
        name: String,
        kind: AlertChannelKind,
        url text: String,
        locale: MessageLocale,
        from: String? = nil,
        to: [String] = [],
        password: String? = nil,
        allowsPrivateNetwork: Bool = false
    ) async throws -> (channel: WebhookEndpoint, secret: String?) {
        // One key for every value sealed here, checked by the store when they are written together.
        let box = self.box.pinned()
        let name = try WebhookService.checkedName(
            name,
            required: AlertError(.nameRequired),
            invalid: { AlertError(.nameInvalid, parameters: ["name": $0]) }
        )
        let catalogue = MessageCatalogue.bundled
        guard catalogue.languages[locale.identifier] != nil else {
            throw AlertError(
                .languageUnsupported,
                parameters: [
                    "language": locale.identifier,
                    "languages": catalogue.locales.map(\.identifier).joined(separator: ", "),
                ]
            )
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let target: String
        let masked: String
        var secret: String?
        let sealedSecret: [UInt8]
        switch kind {
        case .webhook, .slack, .teams:
            guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
                scheme == "https" || scheme == "http", url.host?.isEmpty == false
            else {
                throw AlertError(
                    .urlInvalid,
                    parameters: ["url": URL(string: trimmed).map(WebhookEndpoint.mask) ?? "—", "expected": "https://"]
                )
            }
            target = url.absoluteString
            masked = WebhookEndpoint.mask(url)
            if kind == .webhook { secret = "whsec_" + AccessSecret.random() }
            sealedSecret = box.seal(secret ?? "", context: WebhookService.secretContext)
        case .email:
            guard var components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
                scheme == "smtp" || scheme == "smtps", components.host?.isEmpty == false, components.password == nil
            else {
                throw AlertError(
                    .urlInvalid,
                    parameters: [
                        "url": URL(string: trimmed).map(WebhookEndpoint.mask) ?? "—",
                        "expected": "smtp://, smtps://",
                    ]
                )
            }
            guard let from, !to.isEmpty else { throw AlertError(.recipientRequired) }
            for address in [from] + to where !Self.isAddress(address) {
                throw AlertError(.addressInvalid, parameters: ["address": String(address.prefix(200))])
            }
            components.queryItems = [
                URLQueryItem(name: "from", value: from), URLQueryItem(name: "to", value: to.joined(separator: ",")),
            ]
            guard let url = components.url else { throw AlertError(.urlInvalid, parameters: ["url": "—"]) }
            target = url.absoluteString
            masked =
                "\(scheme)://\(components.host ?? "")\(components.port.map { ":\($0)" } ?? "") → "
                + to.joined(separator: ", ")
            sealedSecret = box.seal(password ?? "", context: WebhookService.secretContext)
        }
        do {
            let channel = try await store.createWebhook(
                name: name,
                sealedURL: box.seal(target, context: WebhookService.urlContext),
                sealedSecret: sealedSecret,
                sealedWith: box.keyCheck,
                maskedURL: masked,
                allowsPrivateNetwork: allowsPrivateNetwork,
                channel: kind,
                locale: locale.identifier,
                at: timeSource.now()
            )
            logger.notice(
                "Change: alert channel added",
                metadata: [
                    "channel": "\(name)", "kind": "\(kind.rawValue)", "target": "\(masked)",
                    "language": "\(locale.identifier)",
                ]
            )
            return (channel, secret)
        } catch let error as StoreError where error.code == .duplicateName {
            throw AlertError(.exists, parameters: ["name": name])
        }
    }

    /// Every channel, by name.
    public func list() async throws -> [WebhookEndpoint] {
        try await store.webhooks().filter { $0.channel != nil }
    }

    /// One channel.
    /// - Throws: ``AlertError`` `not_found`.
    public func channel(named name: String) async throws -> WebhookEndpoint {
        guard let channel = try await store.webhook(named: name), channel.channel != nil else {
            throw AlertError(.notFound, parameters: ["name": name])
        }
        return channel
    }

    /// Deletes a channel and its delivery log.
    /// - Throws: ``AlertError`` `not_found`.
    public func delete(named name: String) async throws {
        let channel = try await channel(named: name)
        try await store.deleteWebhook(id: channel.id)
        logger.notice("Change: alert channel deleted", metadata: ["channel": "\(channel.name)"])
    }

    /// A channel's delivery log, newest first.
    /// - Throws: ``AlertError`` `not_found`.
    public func deliveries(named name: String, limit: Int) async throws -> [WebhookDelivery] {
        let channel = try await channel(named: name)
        return try await store.deliveries(webhookID: channel.id, limit: max(1, limit))
    }

    /// `local@domain`, without spaces, angle brackets, commas or control characters (which could add recipients or
    /// headers).
    static func isAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), address.count <= 254 else { return false }
        return !address.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
                || "<>,;:\"()[]\\".unicodeScalars.contains($0)
        }
    }
}
