public import ADECore
import ADESupport
import AsyncHTTPClient
import Crypto
import Foundation
import NIOSSL

extension WebhookDeliveryService {
    /// An alert channel's events: each alert written in the channel's language and sent in its kind's shape, in
    /// order, until one fails; events that are not alerts are skipped.
    func deliverAlerts(
        _ events: [OutboxEvent],
        to channel: WebhookEndpoint,
        kind: AlertChannelKind,
        url: String,
        secret: [UInt8]
    ) async throws -> Int {
        let locale = MessageLocale(channel.locale ?? "en")
        var texts: [Int64: AlertText] = [:]
        // The tokens as they are now, read once for the batch, and only when it holds an alert.
        if events.contains(where: { OutboxEvent.Kind.alerts.contains($0.kind) }) {
            let overviews = try await TokenOverview.all(
                store: store,
                now: timeSource.now(),
                policy: configuration.healthPolicy
            )
            for event in events {
                texts[event.id] = AlertText.make(
                    for: event,
                    overviews: overviews,
                    locale: locale,
                    consoleURL: configuration.consoleURL
                )
            }
        }
        // A batch without any alert (a sync's device events) is passed in one write.
        if texts.isEmpty, let last = events.last {
            try await store.skipEvents(webhookID: channel.id, through: last.id)
            return 0
        }
        return try await withSender(kind, channel: channel, url: url, secret: secret) { sender in
            try await send(events, to: channel) { event in
                guard let text = texts[event.id] else { return nil }
                return await sender(text, event)
            }
        }
    }

    /// Sends a test alert to a channel: its status, or why it was not reached. Not in the outbox, not logged.
    public func testChannel(_ channel: WebhookEndpoint) async throws -> (status: Int?, error: (any CataloguedError)?) {
        guard let kind = channel.channel else { return try await test(channel) }
        let url = String(decoding: try box.open(channel.sealedURL, context: WebhookService.urlContext), as: UTF8.self)
        let secret = try box.open(channel.sealedSecret, context: WebhookService.secretContext)
        let text = AlertText.test(channel: channel.name, locale: MessageLocale(channel.locale ?? "en"))
        let event = OutboxEvent(
            id: 0,
            tokenID: 0,
            kind: OutboxEvent.Kind(rawValue: "ping"),
            body: #"{"channel":"# + JSONText.quoted(channel.name) + "}",
            createdAt: timeSource.now()
        )
        let outcome = try await withSender(kind, channel: channel, url: url, secret: secret) { sender in
            await sender(text, event)
        }
        return (outcome.status, outcome.error)
    }

    typealias AlertSender = (AlertText, OutboxEvent) async -> (status: Int?, error: NotifyError?)

    /// Runs `body` with a function that sends one alert through a channel: an HTTP client checked and pinned as
    /// webhooks' are, or an SMTP client.
    private func withSender<Result>(
        _ kind: AlertChannelKind,
        channel: WebhookEndpoint,
        url: String,
        secret: [UInt8],
        _ body: (AlertSender) async throws -> Result
    ) async throws -> Result {
        if kind == .email {
            guard let target = AlertChannelService.EmailTarget(url) else {
                return try await body { _, _ in (nil, NotifyError(.urlInvalid)) }
            }
            // The mail server is reached at the address that was checked, never by its name again: a second lookup
            // could answer another address (DNS rebinding).
            var pinned: String?
            if !channel.allowsPrivateNetwork {
                let addresses = await resolve(target.host)
                guard let first = addresses.first else {
                    return try await body { _, _ in (nil, NotifyError(.unresolved)) }
                }
                guard addresses.allSatisfy({ NetworkPolicy.isAllowed($0) }), let address = NetworkPolicy.text(first)
                else {
                    return try await body { _, _ in (nil, NotifyError(.addressRefused)) }
                }
                pinned = address
            }
            let password = String(decoding: secret, as: UTF8.self)
            let roots: [NIOSSLCertificate]
            do {
                roots = try configuration.extraCAFile.map { try NIOSSLCertificate.fromPEMFile($0) } ?? []
            } catch {
                return try await body { _, _ in
                    (nil, NotifyError(.caFileUnreadable, parameters: ["path": configuration.extraCAFile ?? ""]))
                }
            }
            let client = SMTPClient(
                configuration: SMTPClient.Configuration(
                    host: target.host,
                    port: target.port,
                    security: target.implicitTLS ? .tls : .startTLS,
                    username: target.username,
                    password: password.isEmpty ? nil : password,
                    extraTrustRoots: roots,
                    connectAddress: pinned
                )
            )
            return try await body { text, _ in
                do {
                    try await client.send(
                        SMTPClient.Message(
                            from: target.from,
                            fromName: "ade",
                            to: target.to,
                            subject: text.subject,
                            body: text.body
                        ),
                        at: timeSource.now()
                    )
                    return (nil, nil)
                } catch let error as NotifyError {
                    return (nil, error)
                } catch {
                    return (nil, NotifyError(.unreachable, parameters: ["detail": "\(target.host):\(target.port)"]))
                }
            }
        }
        switch await route(url, allowsPrivate: channel.allowsPrivateNetwork) {
        case .failure(let refusal):
            return try await body { _, _ in (nil, refusal) }
        case .success(let clientConfiguration):
            let key = kind == .webhook ? SymmetricKey(data: secret) : nil
            return try await HTTPClient.withHTTPClient(configuration: clientConfiguration) { client in
                try await body { text, event in
                    let payload: [UInt8]
                    switch kind {
                    case .slack: payload = AlertPayload.slack(text)
                    case .teams: payload = AlertPayload.teams(text)
                    case .webhook, .email: payload = AlertPayload.webhook(text, event: event)
                    }
                    return await post(
                        payload,
                        event: kind == .webhook ? event : nil,
                        client: client,
                        url: url,
                        secret: key
                    )
                }
            }
        }
    }
}
