import ADECore
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// What the API refuses rather than guesses: unknown fields, serial numbers the token does not have, both or
/// neither of `serials` and `all`, every bad field of a profile at once, and methods it does not take.
@Suite(.timeLimit(.minutes(2)))
struct APIStrictnessTests {
    static func call(
        _ client: some TestClientProtocol,
        _ uri: String,
        _ method: HTTPRequest.Method,
        _ body: String? = nil,
        token: String
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri,
            method: method,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) }
        )
    }

    @Test func anUnknownFieldIsRefusedByNameAndNothingIsCreated() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let response = try await Self.call(
                client,
                "/api/v1/tokens",
                .post,
                #"{"name": "Sim", "url": "http://127.0.0.1:9"}"#,
                token: writer
            )
            #expect(response.status == .badRequest)
            #expect(try RouterTests.errorCode(response) == "unknown_fields")
            let error = try #require(try RouterTests.json(response)["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains(#""url""#) == true)
            #expect((error["remedy"] as? String)?.contains(#""base_url""#) == true)
            #expect(try await fixture.store.tokens().isEmpty, "nothing created")

            let webhook = try await Self.call(
                client,
                "/api/v1/webhooks",
                .post,
                #"{"name": "hook", "url": "https://hooks.example.com", "allow_private": true}"#,
                token: writer
            )
            #expect(try RouterTests.errorCode(webhook) == "unknown_fields")
        }
    }

    @Test func assignRefusesUnknownSerialsAndAmbiguousBodies() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let healthy = try #require(try await fixture.store.token(named: "Healthy"))
            let profile = try #require(try await fixture.store.profiles(tokenID: healthy.id).first)
            let uri = "/api/v1/tokens/Healthy/profiles/\(profile.name.pathEscaped)/assign"
            let before = try await fixture.store.auditEntries(after: 0, limit: 1000).count
            let unknown = try await Self.call(
                client,
                uri,
                .post,
                #"{"serials": ["NOPE0001", "NOPE0002"]}"#,
                token: writer
            )
            #expect(unknown.status == .unprocessableContent)
            #expect(try RouterTests.errorCode(unknown) == "serials_unknown")
            #expect(String(buffer: unknown.body).contains("NOPE0001"))
            #expect(try await fixture.store.auditEntries(after: 0, limit: 1000).count == before, "nothing audited")

            for body in [
                #"{"serials": [], "all": true}"#, #"{}"#, #"{"all": false}"#, #"{"serials": ["A"], "all": true}"#,
            ] {
                let response = try await Self.call(client, uri, .post, body, token: writer)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try RouterTests.errorCode(response) == "serials_or_all", "\(body)")
            }
            let empty = try await Self.call(client, uri, .post, #"{"serials": [""]}"#, token: writer)
            #expect(try RouterTests.errorCode(empty) == "serials_invalid")
        }
    }

    @Test func aProfileWithSeveralBadFieldsNamesThemAll() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let response = try await Self.call(
                client,
                "/api/v1/tokens/Healthy/profiles",
                .post,
                #"{"name": "Bad", "profile": {"profile_name": "Bad", "url": "ftp://x", "support_email_address": "help", "language": "english"}}"#,
                token: writer
            )
            #expect(response.status == .unprocessableContent)
            let error = try #require(try RouterTests.json(response)["error"] as? [String: Any])
            let problems = try #require(error["problems"] as? [[String: Any]])
            let fields = Set(problems.compactMap { $0["field"] as? String })
            #expect(fields == ["url", "support_email_address", "language"], "\(fields)")
        }
    }

    @Test func traceIsNotAllowed() async throws {
        try await ServerFixture.with(enroll: false) { _, client in
            for uri in ["/api/v1/tokens", "/", "/healthz"] {
                let response = try await client.execute(uri: uri, method: .trace)
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, POST, PUT, DELETE")
            }
        }
    }
}
