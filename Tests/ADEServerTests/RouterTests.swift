import ADECore
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import ServerToken
import Testing

@testable import ADEServer

/// Every route at the router level: health, authentication, the console pages and `/api/v1`.
@Suite(.timeLimit(.minutes(2)))
struct RouterTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
    }

    static func errorCode(_ response: TestResponse) throws -> String? {
        (try json(response)["error"] as? [String: Any])?["code"] as? String
    }

    // MARK: - Health and gates

    @Test func healthAndReadinessNeedNoSignIn() async throws {
        try await ServerFixture.with(enroll: false) { _, client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == "ok\n")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test func everythingElseNeedsSignIn() async throws {
        try await ServerFixture.with(enroll: false) { _, client in
            let api = try await client.execute(uri: "/api/v1/tokens", method: .get)
            #expect(api.status == .unauthorized)
            #expect(try Self.errorCode(api) == "unauthenticated")
            #expect(api.headers[.wwwAuthenticate] == #"Bearer realm="ade""#)

            let bogus = try await client.execute(
                uri: "/api/v1/tokens",
                method: .get,
                headers: [.authorization: "Bearer ade_not-a-token"]
            )
            #expect(bogus.status == .unauthorized)
            #expect(try Self.errorCode(bogus) == "invalid_api_token")

            let home = try await client.execute(uri: "/devices?token=A", method: .get)
            #expect(home.status == .seeOther)
            #expect(home.headers[.location] == "/login?next=%2Fdevices%3Ftoken%3DA")

            let post = try await client.execute(uri: "/tokens/A/sync", method: .post, headers: Self.form)
            #expect(post.status == .unauthorized)
        }
    }

    // MARK: - First administrator and sign-in

    @Test func theSetupLinkCreatesTheFirstAdministratorOnce() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(String(buffer: login.body).contains("This server has no administrator yet"))

            let wrong = try await client.execute(uri: "/setup?token=guess", method: .get)
            #expect(wrong.status == .forbidden)
            let page = try await client.execute(uri: "/setup?token=\(ServerFixture.setupToken)", method: .get)
            #expect(page.status == .ok)

            let short = try await client.execute(
                uri: "/setup",
                method: .post,
                headers: Self.form,
                body: ByteBuffer(
                    string: "token=\(ServerFixture.setupToken)&name=root&password=short&confirmation=short"
                )
            )
            #expect(short.status == .badRequest)
            #expect(String(buffer: short.body).contains("Use at least 12 characters."))
            #expect(try await fixture.store.users().isEmpty, "a refused form changes nothing")

            let body =
                "token=\(ServerFixture.setupToken)&name=root&password=long+enough+password&confirmation=long+enough+password"
            let created = try await client.execute(
                uri: "/setup",
                method: .post,
                headers: Self.form,
                body: ByteBuffer(string: body)
            )
            #expect(created.status == .seeOther)
            let cookie = try #require(created.headers[.setCookie])
            #expect(cookie.contains("ade_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(try await fixture.store.users().map(\.name) == ["root"])

            let again = try await client.execute(
                uri: "/setup",
                method: .post,
                headers: Self.form,
                body: ByteBuffer(string: body)
            )
            #expect(again.status == .forbidden, "the link works once")
            #expect(String(buffer: again.body).contains("This setup link no longer works."))
        }
    }

    @Test func signInIsThrottledAndSignOutEndsTheSession() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            try await fixture.access.addUser(name: "admin", password: ServerFixture.password)
            let signIn = try await fixture.signInForm(client)
            var signInHeaders = Self.form
            signInHeaders[.cookie] = signIn.cookie
            // Posted from another site: no anti-forgery cookie, or a field that does not match it.
            for (headers, field) in [(Self.form, signIn.csrf), (signInHeaders, "forged"), (signInHeaders, "")] {
                let forged = try await client.execute(
                    uri: "/login",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: "name=admin&password=\(ServerFixture.password.queryEscaped)&csrf=\(field)")
                )
                #expect(forged.status == .forbidden)
                #expect(
                    String(buffer: forged.body).contains("The form was refused because it did not come from this page.")
                )
                #expect(forged.headers[.setCookie]?.hasPrefix("ade_signin=") == true, "a fresh form to try again")
            }
            for _ in 0..<fixture.configuration.loginAttempts {
                let refused = try await client.execute(
                    uri: "/login",
                    method: .post,
                    headers: signInHeaders,
                    body: ByteBuffer(string: "name=admin&password=wrong+password+here&csrf=\(signIn.csrf)")
                )
                #expect(refused.status == .unauthorized)
                #expect(String(buffer: refused.body).contains("The user name or password is wrong."))
                #expect(refused.headers[.setCookie]?.hasPrefix("ade_signin=") == true, "no session cookie")
            }
            let throttled = try await client.execute(
                uri: "/login",
                method: .post,
                headers: signInHeaders,
                body: ByteBuffer(
                    string: "name=admin&password=\(ServerFixture.password.queryEscaped)&csrf=\(signIn.csrf)"
                )
            )
            #expect(throttled.status == .tooManyRequests, "even the right password waits once throttled")
            #expect(throttled.headers[.retryAfter] != nil)

            fixture.timeSource.advance(by: fixture.configuration.loginWindow + 1)
            let session = try await fixture.signIn(client)
            let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: session.cookie])
            #expect(home.status == .ok)

            let forged = try await client.execute(
                uri: "/logout",
                method: .post,
                headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=forged")
            )
            #expect(forged.status == .forbidden)
            #expect(String(buffer: forged.body).contains("did not come from this page"))

            let out = try await client.execute(
                uri: "/logout",
                method: .post,
                headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(session.csrf)")
            )
            #expect(out.status == .seeOther)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: session.cookie])
            #expect(after.status == .seeOther, "the session is gone")
        }
    }

    @Test func aRedirectAfterSignInStaysOnThisServer() {
        #expect(ConsoleController.localPath("/tokens/A") == "/tokens/A")
        #expect(ConsoleController.localPath("//evil.example/") == nil)
        #expect(ConsoleController.localPath("https://evil.example/") == nil)
        #expect(ConsoleController.localPath("/\\evil.example") == nil)
    }

    // MARK: - Console pages

    @Test func theTokenListIsTheHomePageWithTheErrorBanner() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: session.cookie])
            let html = String(buffer: home.body)
            #expect(home.status == .ok)
            #expect(html.contains("<span aria-current=\"page\">Enrollment program tokens</span>"))
            for crumb in ["Devices", "Enroll devices", "Apple enrollment"] {
                #expect(html.contains("<li>\(crumb)</li>"))
            }
            #expect(html.contains("1 enrollment program token is in an error state."))
            #expect(html.contains("beside each token, what its state stops"))
            #expect(
                html.contains(
                    #"<li><a href="/tokens/Rejected">Rejected</a>: <strong>Token rejected</strong> — Device sync from "#
                        + "ABM/ASM, Profile assignment, Enrollment in Setup Assistant</li>"
                )
            )
            #expect(html.contains(#"<a href="/tokens/Healthy">Healthy</a>"#))
            #expect(html.contains(">1200<"), "the device count")
            #expect(html.contains("days left"))
            #expect(html.contains("Healthy"))

            let detail = try await client.execute(
                uri: "/tokens/Rejected",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            let page = String(buffer: detail.body)
            #expect(page.contains("Apple rejected the server token"))
            #expect(page.contains("How to fix it"))
            #expect(page.contains("What it affects"))
            #expect(page.contains("<li>Device sync from ABM/ASM</li>"))
            #expect(page.contains("Sync history"))
            #expect(!page.contains("token_rejected"), "the run's error in words, not its code")
            #expect(page.contains("Apple rejected"))

            let missing = try await client.execute(
                uri: "/tokens/Nope",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).contains("There is no token “Nope”."))
        }
    }

    @Test func syncNowFromTheConsoleNeedsTheFormsToken() async throws {
        try await ServerFixture.with(withScheduler: true) { fixture, client in
            let session = try await fixture.signIn(client)
            let headers: HTTPFields = [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"]
            let forged = try await client.execute(uri: "/tokens/Healthy/sync", method: .post, headers: headers)
            #expect(forged.status == .forbidden, "no anti-forgery token: refused")
            let started = try await client.execute(
                uri: "/tokens/Healthy/sync",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "csrf=\(session.csrf)")
            )
            #expect(started.status == .seeOther)
            #expect(started.headers[.location] == "/tokens/Healthy?notice=sync_started")
            let page = try await client.execute(
                uri: "/tokens/Healthy?notice=sync_started",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(String(buffer: page.body).contains("A sync has started."))
        }
    }

    @Test func theDevicesListPagesByKeyset() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            var uri = "/devices?token=Healthy"
            var seen: [String] = []
            while true {
                let page = try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie])
                let html = String(buffer: page.body)
                seen += html.matches(of: /<th scope="row"><a href="[^"]+">([A-Z0-9]+)<\/a><\/th>/).map { String($0.1) }
                guard let next = html.firstMatch(of: /href="(\/devices\?[^"]+)"/)?.1 else { break }
                uri = String(next).replacingOccurrences(of: "&amp;", with: "&")
            }
            #expect(seen.count == 1200)
            #expect(seen == seen.sorted())
            #expect(Set(seen).count == 1200)
        }
    }

    // MARK: - API

    @Test func theAPIAnswersWithAReadToken() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "grafana", scope: .read)
            let auth: HTTPFields = [.authorization: "Bearer \(value)"]

            let list = try Self.json(try await client.execute(uri: "/api/v1/tokens", method: .get, headers: auth))
            let tokens = try #require(list["tokens"] as? [[String: Any]])
            #expect(tokens.map { $0["name"] as? String } == ["Healthy", "Rejected"])
            #expect(tokens[0]["state"] as? String == "healthy")
            #expect(tokens[0]["device_count"] as? Int == 1200)
            #expect(tokens[0]["server_name"] as? String == "Healthy")
            #expect(tokens[1]["state"] as? String == "rejected")
            #expect(tokens[1]["severity"] as? String == "error")
            #expect(tokens[1]["last_error_code"] as? String == "token_rejected")
            #expect((tokens[1]["remedy"] as? String)?.contains("2. Run ade token renew Rejected FILE.p7m") == true)
            #expect(
                tokens[1]["steps"] == nil && tokens[1]["impact"] == nil,
                "the list leaves them to the token's answer"
            )
            let rejected = try Self.json(
                try await client.execute(uri: "/api/v1/tokens/Rejected", method: .get, headers: auth)
            )
            #expect((rejected["steps"] as? [String])?.count == 4)
            #expect((rejected["impact"] as? String)?.contains("Devices no longer sync") == true)
            #expect(tokens[1]["breaks"] as? [String] == ["device_sync", "profile_assignment", "enrollment"])
            #expect(tokens[1]["clears_by_itself"] as? Bool == false)

            let first = try Self.json(
                try await client.execute(uri: "/api/v1/tokens?limit=1", method: .get, headers: auth)
            )
            #expect((first["tokens"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Healthy"])
            #expect(first["next_after"] as? String == "Healthy")
            let second = try Self.json(
                try await client.execute(uri: "/api/v1/tokens?limit=1&after=Healthy", method: .get, headers: auth)
            )
            #expect((second["tokens"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Rejected"])
            #expect(second["next_after"] == nil, "the last page")
            let one = try await client.execute(uri: "/api/v1/tokens/healthy", method: .get, headers: auth)
            #expect(one.status == .ok)
            let runs = try Self.json(
                try await client.execute(uri: "/api/v1/tokens/Healthy/runs?limit=5", method: .get, headers: auth)
            )
            #expect((runs["runs"] as? [[String: Any]])?.first?["outcome"] as? String == "succeeded")
            let badLimit = try await client.execute(
                uri: "/api/v1/tokens/Healthy/runs?limit=0",
                method: .get,
                headers: auth
            )
            #expect(badLimit.status == .badRequest)
            #expect(try Self.errorCode(badLimit) == "invalid_parameter")

            var after: String?
            var serials: [String] = []
            repeat {
                let query = "/api/v1/devices?token=Healthy&limit=500" + (after.map { "&after=\($0)" } ?? "")
                let page = try Self.json(try await client.execute(uri: query, method: .get, headers: auth))
                serials += (page["devices"] as? [[String: Any]] ?? []).compactMap { $0["serial_number"] as? String }
                after = page["next_after"] as? String
            } while after != nil
            #expect(serials.count == 1200)
            #expect(serials == serials.sorted())

            let device = try await client.execute(
                uri: "/api/v1/tokens/Healthy/devices/\(serials[0])",
                method: .get,
                headers: auth
            )
            #expect(try Self.json(device)["serial_number"] as? String == serials[0])
            let noDevice = try await client.execute(
                uri: "/api/v1/tokens/Healthy/devices/NOPE",
                method: .get,
                headers: auth
            )
            #expect(noDevice.status == .notFound)
            #expect(try Self.errorCode(noDevice) == "device_not_found")
            let noToken = try await client.execute(uri: "/api/v1/tokens/Nope", method: .get, headers: auth)
            #expect(noToken.status == .notFound)
            #expect(try Self.errorCode(noToken) == "token_not_found")
            let noFilter = try await client.execute(uri: "/api/v1/devices", method: .get, headers: auth)
            #expect(noFilter.status == .badRequest)

            let alerts = try Self.json(try await client.execute(uri: "/api/v1/alerts", method: .get, headers: auth))
            #expect(alerts["error_count"] as? Int == 1)
            #expect(alerts["summary"] as? String == "1 enrollment program token is in an error state.")
            #expect((alerts["tokens"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Rejected"])

            let write = try await client.execute(uri: "/api/v1/tokens/Healthy/sync", method: .post, headers: auth)
            #expect(write.status == .forbidden)
            #expect(try Self.errorCode(write) == "read_only_token")
        }
    }

    @Test func syncNowThroughTheAPI() async throws {
        try await ServerFixture.with(withScheduler: true) { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let auth: HTTPFields = [.authorization: "Bearer \(value)"]
            let started = try await client.execute(uri: "/api/v1/tokens/Healthy/sync", method: .post, headers: auth)
            #expect(started.status == .accepted)
            #expect(try Self.json(started)["status"] as? String == "started")
            let again = try await client.execute(uri: "/api/v1/tokens/Healthy/sync", method: .post, headers: auth)
            #expect(again.status == .tooManyRequests)
            #expect(again.headers[.retryAfter] != nil)
            #expect(try Self.errorCode(again) == "sync_too_soon")

            // A console session may call the API too, with its anti-forgery token for changes.
            let session = try await fixture.signIn(client)
            let forged = try await client.execute(
                uri: "/api/v1/tokens/Rejected/sync",
                method: .post,
                headers: [.cookie: session.cookie]
            )
            #expect(forged.status == .forbidden)
            #expect(try Self.errorCode(forged) == "csrf_rejected")
            let fromConsole = try await client.execute(
                uri: "/api/v1/tokens/Rejected/sync",
                method: .post,
                headers: [.cookie: session.cookie, APIAccessMiddleware.csrfHeader: session.csrf]
            )
            #expect(fromConsole.status == .accepted)
            #expect(try await fixture.store.apiTokens().first?.lastUsedAt != nil, "the token's last use is recorded")
        }
    }

    @Test func noAnswerCarriesASecret() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "reader", scope: .read)
            let auth: HTTPFields = [.authorization: "Bearer \(value)"]
            let token = try #require(try await fixture.store.token(named: "Healthy"))
            let credentials = try await fixture.tokens.credentials(for: token)
            let session = try await fixture.signIn(client)
            var bodies: [String] = []
            for uri in ["/api/v1/tokens", "/api/v1/tokens/Healthy", "/api/v1/alerts", "/api/v1/tokens/Healthy/runs"] {
                bodies.append(String(buffer: try await client.execute(uri: uri, method: .get, headers: auth).body))
            }
            for uri in ["/", "/tokens/Healthy", "/devices?token=Healthy"] {
                bodies.append(
                    String(
                        buffer: try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie])
                            .body
                    )
                )
            }
            for body in bodies {
                #expect(!body.contains(credentials.consumerSecret))
                #expect(!body.contains(credentials.accessSecret))
                #expect(!body.contains(credentials.accessToken))
                #expect(!body.contains(value))
            }
            #expect(try await fixture.store.apiTokens().first?.secretHash == AccessSecret.digest(value))
        }
    }

    @Test func theDeviceListSearchesAndFilters() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "reader", scope: .read)
            let auth: HTTPFields = [.authorization: "Bearer \(value)"]
            let all = try Self.json(
                try await client.execute(uri: "/api/v1/devices?token=Healthy&limit=1000", method: .get, headers: auth)
            )
            let serials = (all["devices"] as? [[String: Any]] ?? []).compactMap { $0["serial_number"] as? String }
            let prefix = String(serials[0].prefix(5))
            let expected = Set(serials.filter { $0.hasPrefix(prefix) })
            let found = try Self.json(
                try await client.execute(
                    uri: "/api/v1/devices?token=Healthy&limit=1000&serial=\(prefix.lowercased())",
                    method: .get,
                    headers: auth
                )
            )
            let matched = (found["devices"] as? [[String: Any]] ?? []).compactMap { $0["serial_number"] as? String }
            #expect(Set(matched) == expected)
            let statuses = Set(
                (all["devices"] as? [[String: Any]] ?? []).compactMap { $0["profile_status"] as? String }
            )
            for status in statuses {
                let filtered = try Self.json(
                    try await client.execute(
                        uri: "/api/v1/devices?token=Healthy&limit=1000&profile_status=\(status)",
                        method: .get,
                        headers: auth
                    )
                )
                let devices = filtered["devices"] as? [[String: Any]] ?? []
                #expect(!devices.isEmpty)
                #expect(devices.allSatisfy { $0["profile_status"] as? String == status })
            }
            let removed = try Self.json(
                try await client.execute(
                    uri: "/api/v1/devices?token=Healthy&presence=removed",
                    method: .get,
                    headers: auth
                )
            )
            #expect((removed["devices"] as? [[String: Any]])?.isEmpty == true)
            let bad = try await client.execute(
                uri: "/api/v1/devices?token=Healthy&presence=gone",
                method: .get,
                headers: auth
            )
            #expect(bad.status == .badRequest)

            let session = try await fixture.signIn(client)
            let page = try await client.execute(
                uri: "/devices?token=Healthy&serial=\(prefix)",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            let html = String(buffer: page.body)
            let rows = Set(
                html.matches(of: /<th scope="row"><a href="[^"]+">([A-Z0-9]+)<\/a><\/th>/).map { String($0.1) }
            )
            #expect(rows == expected)
            #expect(html.contains("Healthy holds 1200 devices."))
            let first = try #require(rows.sorted().first)
            let detail = try await client.execute(
                uri: "/tokens/Healthy/devices/\(first)",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(detail.status == .ok)
            #expect(String(buffer: detail.body).contains("Assigned to this MDM server"))
            let missing = try await client.execute(
                uri: "/tokens/Healthy/devices/NOPE",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(missing.status == .notFound)
        }
    }

    // MARK: - Languages

    @Test func theLanguageFollowsAcceptLanguageAndTheSwitch() {
        #expect(
            LocaleMiddleware.locale(cookie: nil, acceptLanguage: "fr-CH, fr;q=0.9, en;q=0.8") == MessageLocale("fr")
        )
        #expect(LocaleMiddleware.locale(cookie: nil, acceptLanguage: "pt-br, en;q=0.5") == MessageLocale("pt-BR"))
        #expect(LocaleMiddleware.locale(cookie: nil, acceptLanguage: "pt-PT, ja;q=0.9") == MessageLocale("ja"))
        #expect(LocaleMiddleware.locale(cookie: nil, acceptLanguage: "sv, nb;q=0.9") == .english)
        #expect(LocaleMiddleware.locale(cookie: nil, acceptLanguage: nil) == .english)
        #expect(LocaleMiddleware.locale(cookie: "en", acceptLanguage: "de") == .english)
        #expect(LocaleMiddleware.locale(cookie: "id", acceptLanguage: "de") == MessageLocale("id"))
        #expect(LocaleMiddleware.locale(cookie: "xx", acceptLanguage: "de;q=0, en") == .english)
    }

    @Test func everyErrorOfTheServerHasAMessageAndARemedy() {
        // The console's own strings are checked with every other key by the catalogue's tests (ADECoreTests).
        let catalogue = MessageCatalogue.bundled
        let errors: [any CataloguedError] =
            AccessError.Code.allCases.map { AccessError($0) } + ServerError.Code.allCases.map { ServerError($0) }
        for error in errors {
            #expect(catalogue.string(error.messageKey, locale: .english) != error.messageKey.rawValue)
            #expect(catalogue.string(error.remedyKey, locale: .english) != error.remedyKey.rawValue)
        }
    }
}
