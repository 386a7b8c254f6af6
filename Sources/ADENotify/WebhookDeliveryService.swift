public import ADECore
public import AsyncHTTPClient
import Crypto
public import DEPClient
public import Foundation
public import Logging
public import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// Sends the outbox's events to every webhook endpoint, in order, signed, with retries: an endpoint moves past an
/// event only when its receiver answered 2xx; after a failure it waits (5 s, doubling to 10 minutes) and tries the
/// same event again. Every attempt is in the delivery log. A ServiceLifecycle service: `ade serve` and `ade demo`
/// run it beside the server.
public struct WebhookDeliveryService: Service {
    public struct Configuration: Sendable {
        /// How often the outbox is read when nothing is happening.
        public var pollInterval: Duration
        /// Events per endpoint per pass.
        public var batchSize: Int
        /// The first wait after a failure; each further failure doubles it.
        public var firstBackoff: TimeInterval
        public var maximumBackoff: TimeInterval
        /// How long a receiver has to answer.
        public var timeout: TimeAmount
        /// Events older than this are deleted once every webhook is past them (and at once without webhooks).
        public var retention: TimeInterval
        /// How often old events are pruned.
        public var pruneInterval: TimeInterval

        public init(
            pollInterval: Duration = .seconds(2),
            batchSize: Int = 50,
            firstBackoff: TimeInterval = 5,
            maximumBackoff: TimeInterval = 600,
            timeout: TimeAmount = .seconds(10),
            retention: TimeInterval = 7 * 86_400,
            pruneInterval: TimeInterval = 3600
        ) {
            self.pollInterval = pollInterval
            self.batchSize = max(1, batchSize)
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
            self.timeout = timeout
            self.retention = retention
            self.pruneInterval = pruneInterval
        }
    }

    let store: any ADEStore
    let box: SecretBox
    let client: HTTPClient
    let timeSource: any TimeSource
    let configuration: Configuration
    let logger: Logger

    public init(
        store: any ADEStore,
        box: SecretBox,
        client: HTTPClient,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) {
        self.store = store
        self.box = box
        self.client = client
        self.timeSource = timeSource
        self.configuration = configuration
        self.logger = logger
    }

    /// The sealing contexts of an endpoint's URL and secret.
    public static let urlContext = "webhook.url"
    public static let secretContext = "webhook.secret"

    /// Adds an endpoint: its URL and signing secret sealed with the master key, its URL masked for display. It
    /// receives the events that happen from now on.
    /// - Throws: ``StoreError`` `duplicate_name`.
    public static func addWebhook(
        name: String,
        url: URL,
        secret: String,
        allowsPrivateNetwork: Bool,
        store: any ADEStore,
        box: SecretBox,
        at date: Date
    ) async throws -> WebhookEndpoint {
        try await store.createWebhook(
            name: name,
            sealedURL: box.seal(url.absoluteString, context: urlContext),
            sealedSecret: box.seal(secret, context: secretContext),
            maskedURL: WebhookEndpoint.mask(url),
            allowsPrivateNetwork: allowsPrivateNetwork,
            at: date
        )
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPrune = Date.distantPast
            while !Task.isCancelled {
                do {
                    _ = try await deliverPending()
                    if timeSource.now().timeIntervalSince(lastPrune) >= configuration.pruneInterval {
                        lastPrune = timeSource.now()
                        try await prune()
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("Webhook delivery pass failed", metadata: ["error": "\(String(describing: error))"])
                }
                do { try await timeSource.sleep(for: configuration.pollInterval) } catch { return }
            }
        }
    }

    /// One pass: every endpoint whose wait is over gets its next events, in order, until one fails. Returns how many
    /// events were delivered.
    @discardableResult
    public func deliverPending() async throws -> Int {
        var delivered = 0
        for endpoint in try await store.webhooks() {
            try Task.checkCancellation()
            if let next = endpoint.nextAttemptAt, next > timeSource.now() { continue }
            delivered += try await deliver(to: endpoint)
        }
        return delivered
    }

    /// Sends a `ping` event (number 0, not in the outbox, not logged) to check an endpoint's URL, address policy and
    /// signature: the receiver's HTTP status, or why it was not reached.
    public func ping(_ endpoint: WebhookEndpoint) async throws -> (status: Int?, error: NotifyError?) {
        let url = String(decoding: try box.open(endpoint.sealedURL, context: Self.urlContext), as: UTF8.self)
        let secret = SymmetricKey(data: try box.open(endpoint.sealedSecret, context: Self.secretContext))
        let event = OutboxEvent(
            id: 0,
            tokenID: 0,
            kind: OutboxEvent.Kind(rawValue: "ping"),
            body: #"{"webhook":"# + JSONText.quoted(endpoint.name) + "}",
            createdAt: timeSource.now()
        )
        return await attempt(event, url: url, secret: secret, allowsPrivate: endpoint.allowsPrivateNetwork)
    }

    /// Deletes the events older than the retention that every webhook is past; returns how many.
    @discardableResult
    public func prune() async throws -> Int {
        let floor = try await store.webhooks().map(\.lastEventID).min() ?? Int64.max
        let pruned = try await store.pruneEvents(
            before: timeSource.now().addingTimeInterval(-configuration.retention),
            upTo: floor
        )
        if pruned > 0 { logger.info("Pruned delivered events", metadata: ["events": "\(pruned)"]) }
        return pruned
    }

    /// The events after the endpoint's place, until one fails.
    func deliver(to endpoint: WebhookEndpoint) async throws -> Int {
        let events = try await store.events(after: endpoint.lastEventID, limit: configuration.batchSize)
        guard !events.isEmpty else { return 0 }
        let url = String(decoding: try box.open(endpoint.sealedURL, context: Self.urlContext), as: UTF8.self)
        let secret = SymmetricKey(data: try box.open(endpoint.sealedSecret, context: Self.secretContext))
        var failures = endpoint.failures
        var delivered = 0
        for event in events {
            let started = ContinuousClock.now
            let outcome = await attempt(event, url: url, secret: secret, allowsPrivate: endpoint.allowsPrivateNetwork)
            let now = timeSource.now()
            let delivery = WebhookDelivery(
                webhookID: endpoint.id,
                eventID: event.id,
                attempt: failures + 1,
                statusCode: outcome.status,
                error: outcome.error.map { "\($0.code)\($0.parameters["detail"].map { ": \($0)" } ?? "")" },
                durationMilliseconds: Int((ContinuousClock.now - started).timeIntervalMilliseconds),
                at: now
            )
            if outcome.error == nil {
                try await store.recordDelivery(delivery, nextAttemptAt: nil)
                failures = 0
                delivered += 1
                continue
            }
            let wait = min(configuration.maximumBackoff, configuration.firstBackoff * pow(2, Double(failures)))
            try await store.recordDelivery(delivery, nextAttemptAt: now.addingTimeInterval(wait))
            logger.warning(
                "Webhook delivery failed; the same event is tried again later",
                metadata: [
                    "webhook": "\(endpoint.name)", "event": "\(event.id)", "attempt": "\(failures + 1)",
                    "error": "\(delivery.error ?? "")", "retry.seconds": "\(Int(wait))",
                ]
            )
            break
        }
        return delivered
    }

    /// One POST of one event: the address checked first, then the signed body.
    func attempt(_ event: OutboxEvent, url text: String, secret: SymmetricKey, allowsPrivate: Bool) async
        -> (status: Int?, error: NotifyError?)
    {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else {
            return (nil, NotifyError(.urlInvalid))
        }
        if !allowsPrivate {
            let addresses: [[UInt8]]
            do {
                addresses = try await NIOThreadPool.singleton.runIfActive { NetworkPolicy.resolveBlocking(host: host) }
            } catch {
                return (nil, NotifyError(.unresolved))
            }
            guard !addresses.isEmpty else { return (nil, NotifyError(.unresolved)) }
            guard addresses.allSatisfy({ NetworkPolicy.isPublic($0) }) else {
                return (nil, NotifyError(.addressRefused))
            }
        }
        let body = Array(Self.envelope(event).utf8)
        let timestamp = Int(timeSource.now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: text)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ade-webhooks/1")
        request.headers.add(name: "X-ADE-Event", value: event.kind.rawValue)
        request.headers.add(name: "X-ADE-Delivery", value: String(event.id))
        request.headers.add(
            name: WebhookSignature.headerName,
            value: WebhookSignature.header(secret: secret, timestamp: timestamp, body: body)
        )
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: configuration.timeout)
            // The body is not needed; reading a little frees the connection.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                return (
                    Int(response.status.code),
                    NotifyError(.httpStatus, parameters: ["detail": "HTTP \(response.status.code)"])
                )
            }
            return (Int(response.status.code), nil)
        } catch {
            return (nil, NotifyError(.unreachable, parameters: ["detail": Self.reason(error)]))
        }
    }

    /// `{"created_at":…,"data":{…},"id":…,"type":…}`: the event in the envelope receivers parse.
    static func envelope(_ event: OutboxEvent) -> String {
        #"{"created_at":""# + DEPJSON.formatDate(event.createdAt) + #"","data":"# + event.body + #","id":"#
            + String(event.id) + #","type":""# + event.kind.rawValue + #""}"#
    }

    /// A short reason for the delivery log, never the URL.
    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return "timeout"
        }
        return "connection failed"
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    fileprivate var timeIntervalMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
