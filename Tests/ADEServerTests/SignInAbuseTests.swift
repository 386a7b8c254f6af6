import ADECore
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

    @Test func theLimiterKeepsABoundedTable() {
        let limiter = AttemptLimiter(limit: 5, window: 900, capacity: 1000)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let long = String(repeating: "x", count: 60_000)
        for index in 0..<5000 {
            limiter.record("\(long)\(index)|127.0.0.1", now: now)
        }
        #expect(limiter.count <= 1000, "the table is capped")
        // The newest keys are kept and still counted.
        for _ in 0..<4 { limiter.record("\(long)4999|127.0.0.1", now: now) }
        #expect(limiter.retryAfter("\(long)4999|127.0.0.1", now: now) != nil)
        // Once the window has passed, a record sweeps every expired key out.
        limiter.record("late", now: now.addingTimeInterval(901))
        #expect(limiter.count == 1)
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
