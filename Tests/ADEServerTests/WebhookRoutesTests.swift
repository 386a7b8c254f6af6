import ADECore
import ADENotify
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// Webhooks through `/api/v1` and the console: added with a secret shown once, listed masked, tested, logged,
/// deleted; refused input changes nothing.
@Suite(.timeLimit(.minutes(2)))
struct WebhookRoutesTests {
    @Test func theAPIAddsTestsListsAndDeletesWebhooks() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let (_, reader) = try await fixture.access.createAPIToken(name: "dashboard", scope: .read)
            func call(_ uri: String, _ method: HTTPRequest.Method = .get, _ body: String? = nil, token: String? = nil)
                async throws -> TestResponse
            {
                try await client.execute(
                    uri: uri,
                    method: method,
                    headers: [.authorization: "Bearer \(token ?? writer)", .contentType: "application/json"],
                    body: body.map { ByteBuffer(string: $0) }
                )
            }
            let siem = #"{"name": "SIEM", "url": "http://10.0.0.7/ade?key=hidden"}"#
            #expect(try await call("/api/v1/webhooks", .post, siem, token: reader).status == .forbidden)
            let invalid = try await call("/api/v1/webhooks", .post, #"{"name": "SIEM", "url": "ftp://x"}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try RouterTests.errorCode(invalid) == "url_invalid")
            let unnamed = try await call("/api/v1/webhooks", .post, #"{"url": "https://hooks.example.com/"}"#)
            #expect(try RouterTests.errorCode(unnamed) == "name_required")
            #expect(try await fixture.store.webhooks().isEmpty, "refused input changes nothing")

            let created = try await call("/api/v1/webhooks", .post, siem)
            #expect(created.status == .created)
            let body = try RouterTests.json(created)
            let secret = try #require(body["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && secret.count > 40)
            let webhook = try #require(body["webhook"] as? [String: Any])
            #expect(webhook["url"] as? String == "http://10.0.0.7/…" && webhook["private_network"] as? Bool == false)
            #expect(try await call("/api/v1/webhooks", .post, siem).status == .conflict)

            let list = try await call("/api/v1/webhooks", token: reader)
            let text = String(buffer: list.body)
            #expect(list.status == .ok && text.contains(#""name":"SIEM""#))
            #expect(!text.contains(secret) && !text.contains("hidden"), "never the secret or the URL's query")

            // A private address without --allow-private-network: the test says why it was not sent.
            let test = try RouterTests.json(try await call("/api/v1/webhooks/siem/test", .post))
            #expect(test["status_code"] is NSNull)
            #expect((test["error"] as? [String: Any])?["code"] as? String == "address_refused")
            let log = try RouterTests.json(try await call("/api/v1/webhooks/SIEM/deliveries?limit=5"))
            #expect((log["deliveries"] as? [Any])?.isEmpty == true, "a test is not in the delivery log")

            #expect(try await call("/api/v1/webhooks/SIEM", .delete).status == .noContent)
            let gone = try await call("/api/v1/webhooks/SIEM", .delete)
            #expect(gone.status == .notFound)
            #expect(try RouterTests.errorCode(gone) == "not_found")
        }
    }

    @Test func theConsoleShowsTheSecretOnceAndKeepsARefusedForm() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let session = try await fixture.signIn(client)
            func post(_ uri: String, _ fields: String, csrf: String? = nil) async throws -> TestResponse {
                try await client.execute(
                    uri: uri,
                    method: .post,
                    headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf=\(csrf ?? session.csrf)&" + fields)
                )
            }
            func page(_ uri: String) async throws -> String {
                String(
                    buffer: try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie]).body
                )
            }
            let empty = try await page("/webhooks")
            #expect(empty.contains("No webhook yet.") && empty.contains(#"<a href="/webhooks">Webhooks</a>"#))

            #expect(
                try await post("/webhooks", "name=SIEM&url=https%3A%2F%2Fsiem.example.com", csrf: "x").status
                    == .forbidden
            )
            let refused = try await post("/webhooks", "name=SIEM&url=siem.example.com")
            #expect(refused.status == .unprocessableContent)
            let refusedPage = String(buffer: refused.body)
            #expect(refusedPage.contains("is not an http:// or https:// URL with a host."))
            #expect(refusedPage.contains(#"value="SIEM""#), "the form keeps what was typed")
            #expect(try await fixture.store.webhooks().isEmpty)

            let added = try await post("/webhooks", "name=SIEM&url=http%3A%2F%2F192.168.1.20%2Fhook")
            #expect(added.status == .created)
            let addedPage = String(buffer: added.body)
            let secret = try #require(addedPage.firstMatch(of: /whsec_[A-Za-z0-9_-]+/)).output
            #expect(addedPage.contains("Webhook SIEM added"))
            let later = try await page("/webhooks")
            #expect(later.contains("http://192.168.1.20/…") && !later.contains(secret), "the secret only once")

            let tested = String(buffer: try await post("/webhooks/SIEM/test", "").body)
            #expect(tested.contains("The test event did not reach SIEM."))
            #expect(tested.contains("loopback, link-local or private address"))
            #expect(try await page("/webhooks?log=SIEM").contains("Nothing was sent to this webhook yet."))

            let deleted = try await post("/webhooks/SIEM/delete", "")
            #expect(deleted.headers[.location] == "/webhooks?notice=webhook_deleted")
            #expect(try await fixture.store.webhooks().isEmpty)
            #expect(try await post("/webhooks/SIEM/delete", "").status == .notFound)
        }
    }

    @Test func theConsoleAddsTestsAndDeletesAlertChannels() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let session = try await fixture.signIn(client)
            func post(_ uri: String, _ fields: String, csrf: String? = nil, language: String = "en") async throws
                -> TestResponse
            {
                try await client.execute(
                    uri: uri,
                    method: .post,
                    headers: [
                        .cookie: session.cookie, .contentType: "application/x-www-form-urlencoded",
                        .acceptLanguage: language,
                    ],
                    body: ByteBuffer(string: "csrf=\(csrf ?? session.csrf)&" + fields)
                )
            }
            let empty = String(
                buffer: try await client.execute(uri: "/alerts", method: .get, headers: [.cookie: session.cookie]).body
            )
            #expect(empty.contains("No alert channel yet") && empty.contains(#"<a href="/alerts">Alerts</a>"#))
            let slack = "name=IT&kind=slack&language=en&url=https%3A%2F%2Fhooks.slack.com%2Fservices%2FT1%2FB2%2Fsecret"
            #expect(try await post("/alerts", slack, csrf: "forged").status == .forbidden)
            let refused = try await post(
                "/alerts",
                "name=Mail&kind=email&language=en&url=smtp%3A%2F%2Fmail.example.com&from=a%40example.com&to=&password=hunter2"
            )
            #expect(refused.status == .unprocessableContent)
            let refusedPage = String(buffer: refused.body)
            #expect(refusedPage.contains("needs a sender and at least one recipient"))
            #expect(!refusedPage.contains("hunter2"), "a refused form never echoes the password")
            #expect(try await fixture.store.webhooks().isEmpty)

            let added = try await post("/alerts", slack)
            #expect(added.status == .created)
            let page = String(buffer: added.body)
            #expect(page.contains("https://hooks.slack.com/…") && !page.contains("secret"))
            #expect(try await fixture.store.webhook(named: "IT")?.channel == .slack)
            let webhooksPage = String(
                buffer: try await client.execute(uri: "/webhooks", method: .get, headers: [.cookie: session.cookie])
                    .body
            )
            #expect(webhooksPage.contains("No webhook yet."), "channels are not listed as webhooks")

            let deleted = try await post("/alerts/IT/delete", "")
            #expect(deleted.headers[.location] == "/alerts?notice=channel_deleted")

            // Both changes are in the audit log, with who made them and from where; the console shows and exports it.
            let audit = try await fixture.store.recentAudit(before: nil, limit: 10)
            #expect(audit.map(\.action) == ["alert_channel.delete", "alert_channel.create"])
            #expect(audit.allSatisfy { $0.actor == "user:admin" && $0.source == .console && $0.target == "IT" })
            let auditPage = String(
                buffer: try await client.execute(uri: "/audit", method: .get, headers: [.cookie: session.cookie]).body
            )
            #expect(auditPage.contains("<code>alert_channel.create</code>") && auditPage.contains("user:admin"))
            let export = try await client.execute(uri: "/audit.jsonl", method: .get, headers: [.cookie: session.cookie])
            let lines = String(buffer: export.body).split(separator: "\n")
            #expect(lines.count == 2 && lines[0].contains(#""action":"alert_channel.create""#))
            #expect(!String(buffer: export.body).contains("secret"), "no secret in the audit log")
            #expect(try await fixture.store.webhooks().isEmpty)
            #expect(try await post("/alerts/IT/delete", "").status == .notFound)
        }
    }
}

/// A failed delivery attempt in the console's log reads as a sentence in the reader's language, never as a code.
struct DeliveryLogWordsTests {
    @Test func aFailedAttemptIsSaidInWords() {
        let french = MessageLocale("fr")
        let timedOut = NotifyError(.timedOut, parameters: ["seconds": "30"]).logText
        #expect(timedOut == "timed_out: 30")
        #expect(
            ConsoleController.deliveryError(timedOut, locale: french) == "Aucune réponse n’est arrivée en 30 secondes."
        )
        let status = ConsoleController.deliveryError("http_status: 500", locale: french)
        #expect(status.contains("500") && !status.contains("http_status"))
        #expect(!ConsoleController.deliveryError("unresolved", locale: french).contains("unresolved"))
    }
}
