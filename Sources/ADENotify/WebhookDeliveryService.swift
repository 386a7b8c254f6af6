public import ADECore
public import ADESupport
import AsyncHTTPClient
import Crypto
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
        /// The console's public base URL: alerts link to the token's page.
        public var consoleURL: URL?
        /// A PEM file of certificate authorities trusted besides the system's for SMTP servers (a private CA;
        /// `ADE_EXTRA_CA_FILE`).
        public var extraCAFile: String?
        /// The thresholds the token states in alerts are judged by.
        public var healthPolicy: HealthPolicy
        /// This process among the nodes sharing the database: an endpoint's events are delivered by the node that
        /// claimed it (``WebhookStore/claimDeliveries(webhookID:holder:until:now:)``).
        public var holder: String

        /// How long a claim lasts: one attempt at the receiver's timeout, and half a minute more. The claim is
        /// renewed before each attempt, so that a long batch keeps it, and a node that dies while delivering leaves
        /// its endpoints to the others within this time.
        public var claimDuration: TimeInterval {
            Double(timeout.nanoseconds) / 1e9 + 30
        }

        public init(
            pollInterval: Duration = .seconds(2),
            batchSize: Int = 50,
            firstBackoff: TimeInterval = 5,
            maximumBackoff: TimeInterval = 600,
            timeout: TimeAmount = .seconds(10),
            retention: TimeInterval = 7 * 86_400,
            pruneInterval: TimeInterval = 3600,
            consoleURL: URL? = nil,
            extraCAFile: String? = nil,
            healthPolicy: HealthPolicy = HealthPolicy(),
            holder: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-"
                + UUID().uuidString.prefix(8)
        ) {
            self.pollInterval = pollInterval
            self.batchSize = max(1, batchSize)
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
            self.timeout = timeout
            self.retention = retention
            self.pruneInterval = pruneInterval
            self.consoleURL = consoleURL
            self.extraCAFile = extraCAFile
            self.healthPolicy = healthPolicy
            self.holder = holder
        }
    }

    let store: any OutboxStore & WebhookStore & TokenStore & SyncRunStore & HealthStore
    let box: SecretBox
    let timeSource: any TimeSource
    let configuration: Configuration
    let resolve: @Sendable (String) async -> [[UInt8]]
    let logger: Logger

    /// - Parameter resolve: Every address of a host name (4 or 16 bytes each); the system resolver by default.
    public init(
        store: any OutboxStore & WebhookStore & TokenStore & SyncRunStore & HealthStore,
        box: SecretBox,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        resolve: @escaping @Sendable (String) async -> [[UInt8]] = WebhookDeliveryService.systemResolve,
        logger: Logger
    ) {
        self.store = store
        self.box = box
        self.resolve = resolve
        self.timeSource = timeSource
        self.configuration = configuration
        self.logger = logger
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

    /// One pass: every endpoint whose wait is over and that no other node is delivering gets its next events, in
    /// order, until one fails. Returns how many events were delivered.
    @discardableResult
    public func deliverPending() async throws -> Int {
        var delivered = 0
        for listed in try await store.webhooks() {
            try Task.checkCancellation()
            let now = timeSource.now()
            guard Self.isDue(listed, at: now) else { continue }
            guard
                let endpoint = try await store.claimDeliveries(
                    webhookID: listed.id,
                    holder: configuration.holder,
                    until: now.addingTimeInterval(configuration.claimDuration),
                    now: now
                )
            else { continue }
            do {
                // Read again once claimed: another node may have delivered meanwhile, and set a later attempt.
                if Self.isDue(endpoint, at: now) { delivered += try await deliver(to: endpoint) }
            } catch {
                try? await store.releaseDeliveries(webhookID: endpoint.id, holder: configuration.holder)
                throw error
            }
            try await store.releaseDeliveries(webhookID: endpoint.id, holder: configuration.holder)
        }
        return delivered
    }

    /// Whether an endpoint's wait after a failure is over.
    static func isDue(_ endpoint: WebhookEndpoint, at now: Date) -> Bool {
        endpoint.nextAttemptAt.map { $0 <= now } ?? true
    }

    /// Sends a `ping` event (number 0, not in the outbox, not logged) to check an endpoint's URL, address policy and
    /// signature: the receiver's HTTP status, or why it was not reached.
    public func ping(_ endpoint: WebhookEndpoint) async throws -> (status: Int?, error: NotifyError?) {
        let url = String(decoding: try box.open(endpoint.sealedURL, context: WebhookService.urlContext), as: UTF8.self)
        let secret = SymmetricKey(data: try box.open(endpoint.sealedSecret, context: WebhookService.secretContext))
        let event = OutboxEvent(
            id: 0,
            tokenID: 0,
            kind: OutboxEvent.Kind(rawValue: "ping"),
            body: #"{"webhook":"# + JSONText.quoted(endpoint.name) + "}",
            createdAt: timeSource.now()
        )
        switch await route(url, allowsPrivate: endpoint.allowsPrivateNetwork) {
        case .success(let clientConfiguration):
            return try await HTTPClient.withHTTPClient(configuration: clientConfiguration) { client in
                await attempt(event, client: client, url: url, secret: secret)
            }
        case .failure(let refusal):
            return (nil, refusal)
        }
    }

    /// ``ping(_:)`` for callers that know errors only as catalogued ones (the console and API's test button).
    public func test(_ endpoint: WebhookEndpoint) async throws -> (status: Int?, error: (any CataloguedError)?) {
        let (status, error) = try await ping(endpoint)
        return (status, error)
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
        let url = String(decoding: try box.open(endpoint.sealedURL, context: WebhookService.urlContext), as: UTF8.self)
        let secret = try box.open(endpoint.sealedSecret, context: WebhookService.secretContext)
        if let kind = endpoint.channel {
            return try await deliverAlerts(events, to: endpoint, kind: kind, url: url, secret: secret)
        }
        let key = SymmetricKey(data: secret)
        switch await route(url, allowsPrivate: endpoint.allowsPrivateNetwork) {
        case .success(let clientConfiguration):
            return try await HTTPClient.withHTTPClient(configuration: clientConfiguration) { client in
                try await send(events, to: endpoint) { event in
                    await attempt(event, client: client, url: url, secret: key)
                }
            }
        case .failure(let refusal):
            return try await send(events, to: endpoint) { _ in (nil, refusal) }
        }
    }

    /// Sends events in order until one fails, logging each attempt; an event `attempt` answers nil for is skipped
    /// (the endpoint moves past it without a log entry).
    func send(
        _ events: [OutboxEvent],
        to endpoint: WebhookEndpoint,
        attempt: (OutboxEvent) async throws -> (status: Int?, error: NotifyError?)?
    ) async throws -> Int {
        var failures = endpoint.failures
        var delivered = 0
        for event in events {
            // Renewed before each attempt; lost (it lapsed and another node took it), nothing more is sent.
            let renewed = try await store.claimDeliveries(
                webhookID: endpoint.id,
                holder: configuration.holder,
                until: timeSource.now().addingTimeInterval(configuration.claimDuration),
                now: timeSource.now()
            )
            guard renewed != nil else { break }
            let started = ContinuousClock.now
            guard let outcome = try await attempt(event) else {
                try await store.skipEvents(webhookID: endpoint.id, through: event.id)
                continue
            }
            let now = timeSource.now()
            let delivery = WebhookDelivery(
                webhookID: endpoint.id,
                eventID: event.id,
                attempt: failures + 1,
                statusCode: outcome.status,
                error: outcome.error.map(\.logText),
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
                "Delivery failed; the same event is tried again later",
                metadata: [
                    "endpoint": "\(endpoint.name)", "event": "\(event.id)", "attempt": "\(failures + 1)",
                    "error": "\(delivery.error ?? "")", "retry.seconds": "\(Int(wait))",
                ]
            )
            break
        }
        return delivered
    }

    /// Where an endpoint's requests may go, checked once per pass: a well-formed http(s) URL; unless the endpoint
    /// allows private networks, every address of its host public, and the client pinned to the checked address
    /// (no second lookup that a rebinding DNS server could answer with an inside address). Redirects are never
    /// followed: a receiver could send them anywhere.
    func route(_ text: String, allowsPrivate: Bool) async -> Result<HTTPClient.Configuration, NotifyError> {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else {
            return .failure(NotifyError(.urlInvalid))
        }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        guard !allowsPrivate else { return .success(clientConfiguration) }
        let addresses = await resolve(host)
        guard let first = addresses.first else { return .failure(NotifyError(.unresolved)) }
        guard addresses.allSatisfy({ NetworkPolicy.isAllowed($0) }), let pinned = NetworkPolicy.text(first) else {
            return .failure(NotifyError(.addressRefused))
        }
        clientConfiguration.dnsOverride = [host: pinned, host.lowercased(): pinned]
        return .success(clientConfiguration)
    }

    /// The system resolver, run off the event loops.
    public static let systemResolve: @Sendable (String) async -> [[UInt8]] = { host in
        (try? await NIOThreadPool.singleton.runIfActive { NetworkPolicy.resolveBlocking(host: host) }) ?? []
    }

    /// One POST of one event, signed, on a client of ``route(_:allowsPrivate:)``.
    func attempt(_ event: OutboxEvent, client: HTTPClient, url text: String, secret: SymmetricKey) async
        -> (status: Int?, error: NotifyError?)
    {
        await post(Array(Self.envelope(event).utf8), event: event, client: client, url: text, secret: secret)
    }

    /// POSTs a JSON body; with a secret, signed and with the event's headers.
    func post(_ body: [UInt8], event: OutboxEvent?, client: HTTPClient, url text: String, secret: SymmetricKey?) async
        -> (status: Int?, error: NotifyError?)
    {
        var request = HTTPClientRequest(url: text)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ade-webhooks/1")
        if let event {
            request.headers.add(name: "X-ADE-Event", value: event.kind.rawValue)
            request.headers.add(name: "X-ADE-Delivery", value: String(event.id))
        }
        if let secret {
            let timestamp = Int(timeSource.now().timeIntervalSince1970)
            request.headers.add(
                name: WebhookSignature.headerName,
                value: WebhookSignature.header(secret: secret, timestamp: timestamp, body: body)
            )
        }
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
        #"{"created_at":""# + Timestamp.format(event.createdAt) + #"","data":"# + event.body + #","id":"#
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
