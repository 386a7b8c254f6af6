import ADECore
import ADESupport
import ADETesting
import Crypto
import DEPClient
import DEPSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import ADENotify

/// Alert channels end to end: a real token synced from the simulator falls into an error state and recovers; every
/// channel (Slack, Teams, signed JSON webhook, e-mail through a real SMTP server) receives exactly one alert for
/// each, in its language, and nothing for the device events in between.
@Suite(.timeLimit(.minutes(3)))
struct AlertChannelTests {
    /// Receives POSTs on `/slack`, `/teams` and `/hook`, keeping each body by path.
    final class Receiver: Sendable {
        let bodies = Mutex<[String: [Data]]>([:])
        let signatures = Mutex<[Bool]>([])
        let outage = Mutex(false)
        let secret = Mutex<SymmetricKey?>(nil)

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            for path in ["slack", "teams", "hook"] {
                router.post(RouterPath(stringLiteral: path)) { request, _ -> HTTPResponse.Status in
                    if path == "slack", self.outage.withLock({ $0 }) { return .internalServerError }
                    let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
                    if path == "hook", let key = self.secret.withLock({ $0 }) {
                        let header = request.headers[HTTPField.Name(WebhookSignature.headerName)!] ?? ""
                        let valid = WebhookSignature.verify(
                            header,
                            body: body,
                            secret: key,
                            now: Int(Date().timeIntervalSince1970)
                        )
                        self.signatures.withLock { $0.append(valid) }
                    }
                    self.bodies.withLock { $0[path, default: []].append(Data(body)) }
                    return path == "teams" ? .accepted : .ok
                }
            }
            return router
        }

        func received(_ path: String) -> [[String: Any]] {
            bodies.withLock { $0[path] ?? [] }.map {
                (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:]
            }
        }
    }

    @Test func everyChannelGetsEachChangeOnceInItsLanguage() async throws {
        let receiver = Receiver()
        let application = Application(
            router: receiver.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await SMTPClientTests.withSink { sink in
            try await application.test(.live) { client in
                try await Self.withSyncedToken { harness, syncer, store, token, box in
                    let base = "http://127.0.0.1:\(client.port!)"
                    let channels = AlertChannelService(
                        store: store,
                        box: box,
                        timeSource: SystemTimeSource(),
                        logger: SimulatorHarness.quietLogger
                    )
                    _ = try await channels.add(
                        name: "IT Slack",
                        kind: .slack,
                        url: "\(base)/slack",
                        locale: .english,
                        allowsPrivateNetwork: true
                    )
                    _ = try await channels.add(
                        name: "Teams",
                        kind: .teams,
                        url: "\(base)/teams",
                        locale: .english,
                        allowsPrivateNetwork: true
                    )
                    let (_, secret) = try await channels.add(
                        name: "SIEM",
                        kind: .webhook,
                        url: "\(base)/hook",
                        locale: MessageLocale(Self.french),
                        allowsPrivateNetwork: true
                    )
                    receiver.secret.withLock { $0 = SymmetricKey(data: Data(try! #require(secret).utf8)) }
                    let mail = try await channels.add(
                        name: "Mail",
                        kind: .email,
                        url: "smtp://alerts%40example.com@localhost:\(sink.port)",
                        locale: .english,
                        from: "alerts@example.com",
                        to: ["it-team@example.com"],
                        password: "s3cret pass",
                        allowsPrivateNetwork: true
                    ).channel
                    #expect(mail.maskedURL == "smtp://localhost:\(sink.port) → it-team@example.com")
                    let clock = ManualTimeSource(now: Date())
                    let delivery = WebhookDeliveryService(
                        store: store,
                        box: box,
                        timeSource: clock,
                        configuration: .init(
                            consoleURL: URL(string: "https://ade.example.com"),
                            extraCAFile: sink.certificatePath
                        ),
                        logger: SimulatorHarness.quietLogger
                    )

                    // A healthy sync: device events and the first state, none an alert.
                    _ = try await syncer.run(token, holder: Self.holder)
                    #expect(try await delivery.deliverPending() == 0)
                    #expect(receiver.received("slack").isEmpty && receiver.received("hook").isEmpty)
                    let newest = try await store.events(after: 0, limit: 100_000).last?.id
                    #expect(newest != nil)
                    #expect(try await store.webhook(named: "IT Slack")?.lastEventID == newest, "device events passed")
                    #expect(try await channels.deliveries(named: "IT Slack", limit: 5).isEmpty, "and not logged")

                    // New terms in ABM: one alert per channel.
                    harness.simulator.publishTerms()
                    await #expect(throws: DEPError.self) { try await syncer.run(token, holder: Self.holder) }
                    #expect(try await delivery.deliverPending() == 4)
                    let slack = try #require(receiver.received("slack").first)
                    #expect(slack["text"] as? String == "[error] ADE token Sync: Terms not accepted")
                    let blocks = try #require(slack["blocks"] as? [[String: Any]])
                    let texts = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
                    #expect(texts.contains { $0.contains("1. Sign in to Apple Business Manager") })
                    #expect(texts.contains { $0.contains("1 token is in an error state now: Sync.") })
                    #expect(texts.contains { $0.contains("https://ade.example.com/tokens/Sync") })

                    let teams = try #require(receiver.received("teams").first)
                    let attachment = try #require((teams["attachments"] as? [[String: Any]])?.first)
                    #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
                    let card = try #require(attachment["content"] as? [String: Any])
                    #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
                    let first = try #require((card["body"] as? [[String: Any]])?.first)
                    #expect(first["color"] as? String == "Attention")

                    let hook = try #require(receiver.received("hook").first)
                    #expect(hook["type"] as? String == "token.state_changed")
                    let alert = try #require(hook["alert"] as? [String: Any])
                    #expect(alert["state"] as? String == "terms_not_accepted")
                    let catalogue = MessageCatalogue.bundled
                    let french = MessageLocale(Self.french)
                    let title = catalogue.string(TokenState.termsNotAccepted.titleKey, locale: french)
                    let severity = catalogue.string("severity.error", locale: french)
                    #expect(
                        alert["subject"] as? String
                            == catalogue.string(
                                "alert.subject.state",
                                locale: french,
                                ["severity": .string(severity), "name": .string("Sync"), "title": .string(title)]
                            )
                    )
                    #expect(receiver.signatures.withLock { $0 } == [true])

                    let (subject, body) = try Self.mail(sink, 1)
                    #expect(subject == "[error] ADE token Sync: Terms not accepted")
                    #expect(body.contains("How to fix it:\n1. Sign in to Apple Business Manager"))

                    // Slack is down when the terms are accepted: the others get the news, Slack gets it later.
                    receiver.outage.withLock { $0 = true }
                    harness.simulator.acceptTerms()
                    _ = try await syncer.run(token, holder: Self.holder)
                    #expect(try await delivery.deliverPending() == 3)
                    receiver.outage.withLock { $0 = false }
                    clock.advance(by: 6)
                    #expect(try await delivery.deliverPending() == 1)
                    #expect(
                        receiver.received("slack").map { $0["text"] as? String } == [
                            "[error] ADE token Sync: Terms not accepted",
                            "[resolved] ADE token Sync is healthy again",
                        ]
                    )
                    #expect(receiver.received("teams").count == 2 && receiver.received("hook").count == 2)
                    let (resolved, _) = try Self.mail(sink, 2)
                    #expect(resolved == "[resolved] ADE token Sync is healthy again")
                    #expect(!FileManager.default.fileExists(atPath: sink.maildir + "/3.eml"), "exactly two e-mails")
                    let log = try await channels.deliveries(named: "IT Slack", limit: 10)
                    #expect(log.map(\.statusCode) == [200, 500, 200])

                    // A test alert reaches each channel without touching the log.
                    for name in ["IT Slack", "Teams", "SIEM", "Mail"] {
                        let outcome = try await delivery.testChannel(try await channels.channel(named: name))
                        #expect(outcome.error == nil, "\(name)")
                    }
                    #expect(try await channels.deliveries(named: "IT Slack", limit: 10).count == 3)
                }
            }
        }
    }

    @Test func badChannelsAreRefusedAndNothingIsStored() async throws {
        let store = MemoryStore()
        let channels = AlertChannelService(
            store: store,
            box: SecretBox(key: .generate()),
            timeSource: SystemTimeSource(),
            logger: SimulatorHarness.quietLogger
        )
        await #expect(throws: AlertError(.urlInvalid)) {
            try await channels.add(name: "S", kind: .slack, url: "hooks.slack.com/x", locale: .english)
        }
        await #expect(throws: AlertError(.urlInvalid)) {
            try await channels.add(
                name: "M",
                kind: .email,
                url: "https://mail",
                locale: .english,
                from: "a@b.c",
                to: ["d@e.f"]
            )
        }
        await #expect(throws: AlertError(.recipientRequired)) {
            try await channels.add(
                name: "M",
                kind: .email,
                url: "smtp://mail.example.com",
                locale: .english,
                from: "a@b.c"
            )
        }
        await #expect(throws: AlertError(.addressInvalid)) {
            try await channels.add(
                name: "M",
                kind: .email,
                url: "smtp://mail.example.com",
                locale: .english,
                from: "a@b.c",
                to: ["x@example.com\r\nBcc: evil@example.com"]
            )
        }
        await #expect(throws: AlertError(.languageUnsupported)) {
            try await channels.add(
                name: "S",
                kind: .slack,
                url: "https://hooks.slack.com/x",
                locale: MessageLocale("tlh")
            )
        }
        await #expect(throws: AlertError(.nameRequired)) {
            try await channels.add(name: " ", kind: .slack, url: "https://hooks.slack.com/x", locale: .english)
        }
        #expect(try await channels.list().isEmpty)
        _ = try await channels.add(
            name: "S",
            kind: .slack,
            url: "https://hooks.slack.com/services/T/B/secret",
            locale: .english
        )
        await #expect(throws: AlertError(.exists)) {
            try await channels.add(name: "s", kind: .teams, url: "https://example.com", locale: .english)
        }
        let listed = try await channels.list()
        #expect(listed.map(\.maskedURL) == ["https://hooks.slack.com/…"], "the URL's secret path is never shown")
        #expect(
            try await WebhookService(
                store: store,
                box: SecretBox(key: .generate()),
                timeSource: SystemTimeSource(),
                logger: SimulatorHarness.quietLogger
            ).list().isEmpty,
            "channels are not webhooks"
        )
    }

    static let holder = TokenSyncer.Holder.current()
    static let french = "fr"

    /// A token of 40 simulated devices with a default profile, its syncer and the master key's box.
    static func withSyncedToken(
        _ body:
            @escaping @Sendable (SimulatorHarness, TokenSyncer, any ADEStore, EnrollmentToken, SecretBox)
            async throws -> Void
    ) async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Sync", devices: 40)])) {
            harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store: any ADEStore = MemoryStore()
                let service = harness.tokenService(store: store, client: client)
                let token = try await harness.enroll("Sync", with: service)
                try await harness.defineDefaultProfile(for: token, store: store, tokens: service)
                let syncer = TokenSyncer(
                    store: store,
                    tokens: service,
                    client: client,
                    timeSource: SystemTimeSource(),
                    logger: SimulatorHarness.quietLogger
                )
                try await body(harness, syncer, store, token, service.secretBox)
            }
        }
    }

    /// The subject and body of the sink's message `number`.
    static func mail(_ sink: SMTPClientTests.Sink, _ number: Int) throws -> (subject: String, body: String) {
        let text = try String(contentsOfFile: sink.maildir + "/\(number).eml", encoding: .utf8)
        let (headers, body) = try #require(SMTPClientTests.split(text))
        var subject = try #require(headers["Subject"])
        if subject.hasPrefix("=?UTF-8?B?") {
            let encoded = String(subject.dropFirst("=?UTF-8?B?".count).dropLast(2))
            subject = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? subject
        }
        let decoded = Data(base64Encoded: body, options: .ignoreUnknownCharacters).map {
            String(decoding: $0, as: UTF8.self)
        }
        return (subject, decoded ?? body)
    }
}
