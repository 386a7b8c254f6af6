import ADECore
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// What someone who has not signed in can try: redirects to other sites, a limiter filled with unique names, the
/// setup link raced by concurrent requests.
@Suite(.timeLimit(.minutes(2)))
struct SignInAbuseTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test(arguments: [
        "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example",
        "//evil.example", "///evil.example", "https://evil.example/", "/\u{0}/evil.example", "/\u{85}/evil.example",
        "javascript:alert(1)", "evil.example", "", "/\u{7F}/evil.example",
    ])
    func aPathThatCouldLeadAwayIsRefused(_ value: String) {
        #expect(ConsoleController.localPath(value) == nil)
    }

    @Test func aPathOnThisServerIsKept() {
        #expect(ConsoleController.localPath("/tokens/A") == "/tokens/A")
        #expect(ConsoleController.localPath("/devices?token=A&q=x%20y") == "/devices?token=A&q=x%20y")
        #expect(ConsoleController.localPath("/tokens/Contoso%20iPads") == "/tokens/Contoso%20iPads")
        #expect(ConsoleController.localPath("/tokens/Contoso iPads") == "/tokens/Contoso%20iPads", "encoded")
        #expect(ConsoleController.localPath("/tokens/Écoles") == "/tokens/%C3%89coles")
        #expect(ConsoleController.localPath("/ /evil.example") == "/%20/evil.example", "a path, not a host")
    }

    @Test func theLanguageSwitchDoesNotRedirectToATabbedHost() async throws {
        try await ServerFixture.with(enroll: false) { _, client in
            let response = try await client.execute(uri: "/language?lang=en&back=/%09/evil.example", method: .get)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let kept = try await client.execute(uri: "/language?lang=fr&back=%2Fdevices", method: .get)
            #expect(kept.headers[.location] == "/devices")
        }
    }

    @Test func signInDoesNotRedirectToATabbedHost() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            try await fixture.access.addUser(name: "admin", password: ServerFixture.password)
            let form = try await fixture.signInForm(client)
            let response = try await client.execute(
                uri: "/login",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: form.cookie],
                body: ByteBuffer(
                    string: "name=admin&password=\(ServerFixture.password.queryEscaped)&next=%2F%09%2Fevil.example"
                        + "&csrf=\(form.csrf)"
                )
            )
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
        }
    }

    @Test func theLimiterKeepsABoundedTable() async throws {
        let store = MemoryStore()
        let limiter = AttemptLimiter(store: store, kind: .signIn, limit: 5, window: 900, capacity: 1000)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let long = String(repeating: "x", count: 60_000)
        for index in 0..<5000 {
            try await limiter.record("\(long)\(index)|127.0.0.1", now: now.addingTimeInterval(Double(index) / 100))
        }
        #expect(try await store.attemptCount() <= 1000, "the table is capped")
        // The newest keys are kept and still counted.
        let newest = now.addingTimeInterval(50)
        for _ in 0..<4 { try await limiter.record("\(long)4999|127.0.0.1", now: newest) }
        #expect(try await limiter.retryAfter("\(long)4999|127.0.0.1", now: newest) != nil)
        #expect(try await limiter.retryAfter("\(long)4998|127.0.0.1", now: newest) == nil)
        // Once the window has passed, a record prunes every expired attempt.
        try await limiter.record("late", now: now.addingTimeInterval(1000))
        #expect(try await store.attemptCount() == 1)
    }

    /// A second node on the same store (a second router, as a second `ade serve` builds one): failed sign-ins on
    /// either count against one limit, and the setup link one node printed works on the other and closes both.
    @Test func signInLimitsAndTheSetupLinkHoldAcrossTwoNodes() async throws {
        try await ServerFixture.with(enroll: false) { fixture, first in
            var configuration = fixture.configuration
            configuration.setupToken = "second-node-setup-token"
            let router = try await buildRouter(configuration: configuration, dependencies: fixture.dependencies)
            try await Application(router: router, logger: SimulatorHarness.quietLogger).test(.router) { second in
                let page = try await first.execute(uri: "/setup?token=second-node-setup-token", method: .get)
                #expect(page.status == .ok, "the second node's link on the first node")
                let created = try await first.execute(
                    uri: "/setup",
                    method: .post,
                    headers: Self.form,
                    body: ByteBuffer(
                        string:
                            "token=second-node-setup-token&name=admin&password=\(ServerFixture.password.queryEscaped)"
                            + "&confirmation=\(ServerFixture.password.queryEscaped)"
                    )
                )
                #expect(created.status == .seeOther)
                for (client, token) in [(second, ServerFixture.setupToken), (first, "second-node-setup-token")] {
                    let closed = try await client.execute(uri: "/setup?token=\(token)", method: .get)
                    #expect(closed.status == .forbidden, "every node's link is closed once one is used")
                }

                // Five wrong passwords, alternately on each node: the sixth attempt is refused on both.
                for attempt in 0..<5 {
                    let client = attempt.isMultiple(of: 2) ? first : second
                    #expect(try await Self.signIn(client, fixture, password: "wrong").status == .unauthorized)
                }
                for client in [first, second] {
                    let refused = try await Self.signIn(client, fixture, password: ServerFixture.password)
                    #expect(refused.status == .tooManyRequests, "the limit counts both nodes' failures")
                    #expect(refused.headers[.retryAfter] != nil)
                }
            }
        }
    }

    static func signIn(_ client: some TestClientProtocol, _ fixture: ServerFixture, password: String) async throws
        -> TestResponse
    {
        let form = try await fixture.signInForm(client)
        return try await client.execute(
            uri: "/login",
            method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: form.cookie],
            body: ByteBuffer(string: "name=admin&password=\(password.queryEscaped)&next=%2F&csrf=\(form.csrf)")
        )
    }

    @Test func aLongNameIsLoggedShort() {
        let name = String(repeating: "n", count: 60_000) + "\u{202E}"
        let logged = name.loggable()
        #expect(logged.count < 100)
        #expect(logged.contains("60001 characters"))
        #expect("ab\u{202E}c\u{0}".loggable() == "ab\u{FFFD}c\u{FFFD}")
    }

    @Test func theSetupLinkCreatesOneAdministratorUnderConcurrentRequests() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.execute(
                            uri: "/setup",
                            method: .post,
                            headers: Self.form,
                            body: ByteBuffer(
                                string: "token=\(ServerFixture.setupToken)&name=root\(index)"
                                    + "&password=long+enough+password&confirmation=long+enough+password"
                            )
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            #expect(statuses.filter { $0 == .forbidden }.count == 7)
            #expect(try await fixture.store.users().count == 1)
        }
    }

    @Test func aRefusedSetupFormLeavesTheLinkUsable() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let differ = try await client.execute(
                uri: "/setup",
                method: .post,
                headers: Self.form,
                body: ByteBuffer(
                    string: "token=\(ServerFixture.setupToken)&name=root&password=long+enough+password"
                        + "&confirmation=another+long+password"
                )
            )
            #expect(differ.status == .badRequest)
            let page = try await client.execute(uri: "/setup?token=\(ServerFixture.setupToken)", method: .get)
            #expect(page.status == .ok)
            #expect(try await fixture.store.users().isEmpty)
        }
    }
}
