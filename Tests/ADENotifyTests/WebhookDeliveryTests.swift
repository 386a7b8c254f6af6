import ADECore
import ADESupport
import ADETesting
import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import ADENotify

/// Deliveries to a real receiver on loopback: signatures it checks, order, the retries after an outage and the
/// delivery log; private addresses refused unless allowed.
@Suite(.timeLimit(.minutes(2)))
struct WebhookDeliveryTests {
    /// A receiver that checks every signature and can be switched off (503).
    final class Receiver: Sendable {
        struct Received: Sendable {
            var id: Int
            var type: String
            var signed: Bool
            var data: [String: String]
        }

        let secret: SymmetricKey
        let outage = Mutex(false)
        let received = Mutex<[Received]>([])

        init(secret: SymmetricKey) { self.secret = secret }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("hook") { request, _ -> HTTPResponse.Status in
                if self.outage.withLock({ $0 }) { return .serviceUnavailable }
                let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
                let signature = request.headers[HTTPField.Name(WebhookSignature.headerName)!] ?? ""
                let signed = WebhookSignature.verify(
                    signature,
                    body: body,
                    secret: self.secret,
                    now: Int(Date().timeIntervalSince1970)
                )
                let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
                let data = object["data"] as? [String: Any] ?? [:]
                self.received.withLock {
                    $0.append(
                        Received(
                            id: object["id"] as? Int ?? 0,
                            type: object["type"] as? String ?? "",
                            signed: signed
                                && request.headers[HTTPField.Name("X-ADE-Event")!] == object["type"] as? String,
                            data: ["token": data["token"] as? String ?? ""]
                        )
                    )
                }
                return .noContent
            }
            router.post("moved") { _, _ -> Response in
                Response(status: .temporaryRedirect, headers: [.location: "/hook"])
            }
            return router
        }
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A store with a token, a webhook to `url` signed with `secret`, and the service on a manual clock.
    static func setUp(url: String, secret: String, allowsPrivateNetwork: Bool) async throws
        -> (
            store: any ADEStore, token: EnrollmentToken, hook: WebhookEndpoint, clock: ManualTimeSource,
            service: WebhookDeliveryService
        )
    {
        let store: any ADEStore = MemoryStore()
        let box = SecretBox(key: .generate())
        let clock = ManualTimeSource(now: Date())
        let token = try await store.createToken(
            name: "Campus",
            baseURL: URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: clock.now()
        )
        let (hook, _) = try await WebhookService(store: store, box: box, timeSource: clock, logger: Self.quiet).add(
            name: "receiver",
            url: url,
            allowsPrivateNetwork: allowsPrivateNetwork,
            secret: secret
        )
        let service = WebhookDeliveryService(
            store: store,
            box: box,
            timeSource: clock,
            logger: Self.quiet
        )
        return (store, token, hook, clock, service)
    }

    @Test func signedDeliveriesInOrderAndAfterAnOutage() async throws {
        let secret = "whsec_test-secret"
        let receiver = Receiver(secret: SymmetricKey(data: Data(secret.utf8)))
        let application = Application(
            router: receiver.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await application.test(.live) { client in
            let (store, token, hook, clock, service) = try await Self.setUp(
                url: "http://127.0.0.1:\(client.port!)/hook",
                secret: secret,
                allowsPrivateNetwork: true
            )
            #expect(hook.maskedURL == "http://127.0.0.1:\(client.port!)/…")
            func page(_ serials: [String], cursor: String) async throws {
                _ = try await store.applyPage(
                    serials.map { DeviceRecord(serialNumber: $0, profileStatus: .empty) },
                    cursor: SyncCursorState(phase: .fetch, cursor: cursor, fetchGeneration: 1),
                    completesFetch: false,
                    tokenID: token.id,
                    now: clock.now()
                )
            }
            try await page(["A", "B"], cursor: "c1")
            try await page(["C"], cursor: "c2")
            #expect(try await service.deliverPending() == 2)
            var received = receiver.received.withLock { $0 }
            #expect(received.map(\.type) == ["devices.added", "devices.added"])
            #expect(received.allSatisfy { $0.signed && $0.data["token"] == "Campus" })
            #expect(received.map(\.id) == received.map(\.id).sorted())

            // The receiver goes down: the event waits, with a doubling backoff, and nothing is skipped.
            receiver.outage.withLock { $0 = true }
            try await page(["D"], cursor: "c3")
            try await page(["E"], cursor: "c4")
            #expect(try await service.deliverPending() == 0)
            #expect(try await service.deliverPending() == 0, "waiting: no attempt before the backoff ends")
            clock.advance(by: 5)
            #expect(try await service.deliverPending() == 0)
            var endpoint = try #require(try await store.webhook(named: "receiver"))
            #expect(endpoint.failures == 2 && endpoint.nextAttemptAt == clock.now().addingTimeInterval(10))
            receiver.outage.withLock { $0 = false }
            clock.advance(by: 10)
            #expect(try await service.deliverPending() == 2)
            received = receiver.received.withLock { $0 }
            #expect(received.count == 4 && received.map(\.id) == received.map(\.id).sorted())
            endpoint = try #require(try await store.webhook(named: "receiver"))
            #expect(endpoint.failures == 0 && endpoint.nextAttemptAt == nil)
            let log = try await store.deliveries(webhookID: hook.id, limit: 10)
            #expect(log.prefix(4).map(\.attempt) == [1, 3, 2, 1], "newest first: E, then D's three attempts")
            #expect(log[2].statusCode == 503 && log[2].error == "http_status: HTTP 503")
            #expect(log.allSatisfy { $0.error.map { !$0.contains("127.0.0.1") } ?? true }, "never the URL")

            // A ping checks the endpoint without touching the outbox or the log.
            let ping = try await service.ping(endpoint)
            #expect(ping.status == 204 && ping.error == nil)
            #expect(receiver.received.withLock { $0.last?.type } == "ping")
            #expect(try await store.deliveries(webhookID: hook.id, limit: 10).count == log.count)

            // Old events go once every webhook is past them: a week later, all four of them.
            #expect(try await service.prune() == 0, "younger than the retention")
            try await page(["F"], cursor: "c5")
            clock.advance(by: 8 * 86_400)
            #expect(try await service.prune() == 4, "F is not delivered yet")
            #expect(try await store.events(after: 0, limit: 10).count == 1)
        }
    }

    /// One event in the outbox and one delivery pass to a live receiver's `path`; returns the receiver and the
    /// delivery logged.
    static func deliverOnce(to path: String, allowsPrivateNetwork: Bool) async throws
        -> (receiver: Receiver, delivery: WebhookDelivery?)
    {
        let receiver = Receiver(secret: SymmetricKey(size: .bits256))
        let application = Application(
            router: receiver.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        let delivery = try await application.test(.live) { client in
            let (store, token, hook, clock, service) = try await Self.setUp(
                url: "http://127.0.0.1:\(client.port!)/\(path)",
                secret: "whsec_other",
                allowsPrivateNetwork: allowsPrivateNetwork
            )
            _ = try await store.applyPage(
                [DeviceRecord(serialNumber: "A")],
                cursor: SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1),
                completesFetch: false,
                tokenID: token.id,
                now: clock.now()
            )
            #expect(try await service.deliverPending() == 0)
            return try await store.deliveries(webhookID: hook.id, limit: 1).first
        }
        return (receiver, delivery)
    }

    @Test func privateAddressesAreRefusedUnlessAllowed() async throws {
        let (receiver, delivery) = try await Self.deliverOnce(to: "hook", allowsPrivateNetwork: false)
        #expect(receiver.received.withLock { $0.isEmpty })
        #expect(delivery?.error == "address_refused")
        for (address, expected) in [
            ([127, 0, 0, 1], false), ([10, 1, 2, 3], false), ([172, 20, 0, 1], false), ([192, 168, 1, 1], false),
            ([169, 254, 169, 254], false), ([100, 64, 0, 1], false), ([0, 0, 0, 0], false), ([8, 8, 8, 8], true),
            ([17, 253, 144, 10], true),
        ] as [([UInt8], Bool)] {
            #expect(NetworkPolicy.isPublic(address) == expected, "\(address)")
        }
        var loopback6 = [UInt8](repeating: 0, count: 16)
        loopback6[15] = 1
        #expect(!NetworkPolicy.isPublic(loopback6))
        #expect(!NetworkPolicy.isPublic([0xFE, 0x80] + [UInt8](repeating: 0, count: 14)))
        #expect(!NetworkPolicy.isPublic([0xFD, 0x00] + [UInt8](repeating: 0, count: 14)))
        #expect(!NetworkPolicy.isPublic([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1]))
        #expect(NetworkPolicy.isPublic([0x26, 0x20] + [UInt8](repeating: 0, count: 13) + [1]))
    }

    @Test func aRedirectIsNeverFollowed() async throws {
        let (receiver, delivery) = try await Self.deliverOnce(to: "moved", allowsPrivateNetwork: true)
        #expect(receiver.received.withLock { $0.isEmpty }, "the redirect's target never hears of it")
        #expect(delivery?.statusCode == 307 && delivery?.error == "http_status: HTTP 307")
    }

    @Test func theClientConnectsOnlyToTheAddressItChecked() async throws {
        // A rebinding DNS server answers a public address to the check and an inside one to the connection: the
        // connection never asks, it goes to the address checked.
        let answers = Mutex([[[UInt8]]([[93, 184, 215, 14]]), [[169, 254, 169, 254]]])
        let service = WebhookDeliveryService(
            store: MemoryStore(),
            box: SecretBox(key: .generate()),
            timeSource: ManualTimeSource(now: Date()),
            resolve: { _ in answers.withLock { $0.isEmpty ? [] : $0.removeFirst() } },
            logger: Self.quiet
        )
        let route = try await service.route("https://Hooks.Example.com/ade", allowsPrivate: false).get()
        #expect(route.dnsOverride["Hooks.Example.com"] == "93.184.215.14")
        #expect(route.dnsOverride["hooks.example.com"] == "93.184.215.14")
        #expect(answers.withLock { $0.count } == 1, "one lookup")
        #expect(
            await service.route("https://hooks.example.com/ade", allowsPrivate: false).failure
                == NotifyError(.addressRefused)
        )
        #expect(await service.route("https://hooks.example.com/", allowsPrivate: false).failure == .init(.unresolved))
        #expect(await service.route("ftp://hooks.example.com/", allowsPrivate: false).failure == .init(.urlInvalid))
        // Mixed answers are refused as a whole: the client could pick either.
        let mixed = WebhookDeliveryService(
            store: MemoryStore(),
            box: SecretBox(key: .generate()),
            timeSource: ManualTimeSource(now: Date()),
            resolve: { _ in [[93, 184, 215, 14], [10, 0, 0, 1]] },
            logger: Self.quiet
        )
        #expect(
            await mixed.route("https://hooks.example.com/", allowsPrivate: false).failure == .init(.addressRefused)
        )
        #expect(try await mixed.route("http://10.0.0.1/", allowsPrivate: true).get().dnsOverride.isEmpty)
        #expect(NetworkPolicy.text([0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]) == "2001:db8::1")
        #expect(NetworkPolicy.text([192, 0, 2, 1]) == "192.0.2.1")
    }

    @Test func signaturesVerifyAndRefuseTamperingAndReplays() {
        let secret = SymmetricKey(size: .bits256)
        let body = Array(#"{"id":1}"#.utf8)
        let header = WebhookSignature.header(secret: secret, timestamp: 1_800_000_000, body: body)
        #expect(header.hasPrefix("t=1800000000,v1=") && header.count == "t=1800000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header, body: body, secret: secret, now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header, body: Array(#"{"id":2}"#.utf8), secret: secret, now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header, body: body, secret: SymmetricKey(size: .bits256), now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header, body: body, secret: secret, now: 1_800_001_000), "a replay")
        #expect(!WebhookSignature.verify("t=x,v1=zz", body: body, secret: secret, now: 1_800_000_000))
    }

    @Test func everyNotifyErrorHasAMessageAndARemedy() throws {
        let english = try #require(MessageCatalogue.bundled.languages["en"])
        for code in NotifyError.Code.allCases {
            let error = NotifyError(code, parameters: ["detail": "HTTP 500"])
            #expect(english[error.messageKey.rawValue] != nil && english[error.remedyKey.rawValue] != nil, "\(code)")
        }
    }
}

extension Result {
    /// The error of a failure, nil for a success.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
