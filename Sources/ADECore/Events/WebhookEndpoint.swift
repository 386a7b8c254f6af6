public import Foundation

/// A receiver of the outbox's events. Its URL and signing secret are sealed (they can carry credentials); only a
/// masked URL is ever shown.
public struct WebhookEndpoint: Sendable, Hashable {
    public var id: Int64
    /// The admin's name for it, unique (case-insensitive).
    public var name: String
    /// The URL, sealed with the master key.
    public var sealedURL: [UInt8]
    /// The HMAC-SHA256 secret, sealed with the master key.
    public var sealedSecret: [UInt8]
    /// `https://hooks.example.com/…`: scheme and host only.
    public var maskedURL: String
    /// Whether deliveries may go to loopback, link-local and private addresses (refused by default).
    public var allowsPrivateNetwork: Bool
    /// The last event delivered (or skipped at creation): the next delivery starts after it.
    public var lastEventID: Int64
    /// Consecutive failed attempts of the next event.
    public var failures: Int
    /// No attempt before this time (backoff after a failure).
    public var nextAttemptAt: Date?
    public var createdAt: Date
    /// For an alert channel, its kind (it then receives alerts only, written for people); nil for a webhook, which
    /// receives every event.
    public var channel: AlertChannelKind?
    /// The language an alert channel writes in (a BCP 47 tag); nil for a webhook.
    public var locale: String?

    public init(
        id: Int64,
        name: String,
        sealedURL: [UInt8],
        sealedSecret: [UInt8],
        maskedURL: String,
        allowsPrivateNetwork: Bool,
        lastEventID: Int64,
        failures: Int = 0,
        nextAttemptAt: Date? = nil,
        createdAt: Date,
        channel: AlertChannelKind? = nil,
        locale: String? = nil
    ) {
        self.id = id
        self.name = name
        self.sealedURL = sealedURL
        self.sealedSecret = sealedSecret
        self.maskedURL = maskedURL
        self.allowsPrivateNetwork = allowsPrivateNetwork
        self.lastEventID = lastEventID
        self.failures = failures
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.channel = channel
        self.locale = locale
    }

    /// `scheme://host[:port]/…` of a URL, without path, query or credentials.
    public static func mask(_ url: URL) -> String {
        var masked = "\(url.scheme ?? "https")://\(url.host ?? "?")"
        if let port = url.port { masked += ":\(port)" }
        return masked + (url.path.isEmpty || url.path == "/" ? "" : "/…")
    }
}

/// One attempt to deliver an event to a webhook, kept in the delivery log.
public struct WebhookDelivery: Sendable, Hashable {
    public var webhookID: Int64
    public var eventID: Int64
    /// 1 for the first attempt of this event.
    public var attempt: Int
    /// The receiver's HTTP status; nil when no answer came.
    public var statusCode: Int?
    /// Why the attempt failed, without the URL; nil on success.
    public var error: String?
    public var durationMilliseconds: Int
    public var at: Date

    public init(
        webhookID: Int64,
        eventID: Int64,
        attempt: Int,
        statusCode: Int?,
        error: String?,
        durationMilliseconds: Int,
        at: Date
    ) {
        self.webhookID = webhookID
        self.eventID = eventID
        self.attempt = attempt
        self.statusCode = statusCode
        self.error = error
        self.durationMilliseconds = durationMilliseconds
        self.at = at
    }

    public var succeeded: Bool { error == nil }
}

/// Webhook endpoints, where each stands in the outbox, and the delivery log.
public protocol WebhookStore: Sendable {
    /// Adds an endpoint that starts after the newest event (it receives what happens from now on): a webhook, or an
    /// alert channel of a kind and language.
    /// The URL and secret are sealed with the key whose check value is `sealedWith`, checked against the database's
    /// in the same transaction (``KeyRotation/admit(sealedWith:stored:)``).
    /// - Throws: `duplicate_name` (webhooks and channels share their names); `master_key_changed`.
    func createWebhook(
        name: String,
        sealedURL: [UInt8],
        sealedSecret: [UInt8],
        sealedWith keyCheck: String?,
        maskedURL: String,
        allowsPrivateNetwork: Bool,
        channel: AlertChannelKind?,
        locale: String?,
        at date: Date
    ) async throws -> WebhookEndpoint
    func webhooks() async throws -> [WebhookEndpoint]
    func webhook(named name: String) async throws -> WebhookEndpoint?
    /// - Throws: `not_found`.
    func deleteWebhook(id: Int64) async throws
    /// Records an attempt; a success moves the endpoint past the event and clears its failures, a failure counts
    /// and sets the next attempt.
    func recordDelivery(_ delivery: WebhookDelivery, nextAttemptAt: Date?) async throws
    /// An endpoint's attempts, newest first.
    func deliveries(webhookID: Int64, limit: Int) async throws -> [WebhookDelivery]
    /// Moves an endpoint past events it has nothing to send for (an alert channel past device events), without a
    /// log entry.
    func skipEvents(webhookID: Int64, through eventID: Int64) async throws
    /// Claims an endpoint's deliveries for `holder` until `until`, unless another holder's claim runs past `now`
    /// (``DeliveryClaim/yields(to:now:)``): the endpoint as it stands once claimed, or nil. Nodes sharing a
    /// database deliver each endpoint's events from one node at a time, so that none is sent twice because two
    /// nodes saw it; a claim left by a node that died passes on when it expires.
    func claimDeliveries(webhookID: Int64, holder: String, until: Date, now: Date) async throws -> WebhookEndpoint?
    /// Ends `holder`'s claim on an endpoint, if it still holds it.
    func releaseDeliveries(webhookID: Int64, holder: String) async throws
}

/// Who delivers an endpoint's events, and until when (``WebhookStore/claimDeliveries(webhookID:holder:until:now:)``).
public struct DeliveryClaim: Sendable, Hashable {
    public var holder: String
    public var until: Date

    public init(holder: String, until: Date) {
        self.holder = holder
        self.until = until
    }

    /// Whether `holder` may take the endpoint while this claim stands: it is the holder's own, or it has expired.
    public func yields(to holder: String, now: Date) -> Bool {
        self.holder == holder || until <= now
    }
}

extension WebhookStore {
    /// Adds a webhook (not an alert channel).
    public func createWebhook(
        name: String,
        sealedURL: [UInt8],
        sealedSecret: [UInt8],
        sealedWith keyCheck: String? = nil,
        maskedURL: String,
        allowsPrivateNetwork: Bool,
        at date: Date
    ) async throws -> WebhookEndpoint {
        try await createWebhook(
            name: name,
            sealedURL: sealedURL,
            sealedSecret: sealedSecret,
            sealedWith: keyCheck,
            maskedURL: maskedURL,
            allowsPrivateNetwork: allowsPrivateNetwork,
            channel: nil,
            locale: nil,
            at: date
        )
    }
}
