import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// The token life cycle through `/api/v1`: create, certificate, upload, renew, refusals, delete.
@Suite(.timeLimit(.minutes(2)))
struct APILifecycleTests {
    @Test func createUploadRenewAndDelete() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, value) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let auth: HTTPFields = [.authorization: "Bearer \(value)", .contentType: "application/json"]
            let simulator = fixture.harness.simulator

            let created = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: auth,
                body: ByteBuffer(
                    string: #"{"name": "Campus", "base_url": "\#(fixture.harness.baseURL.absoluteString)"}"#
                )
            )
            #expect(created.status == .created)
            let body = try RouterTests.json(created)
            let pem = try #require(body["certificate_pem"] as? String)
            #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
            #expect((body["token"] as? [String: Any])?["state"] as? String == "awaiting_upload")
            let download = try await client.execute(
                uri: "/api/v1/tokens/Campus/certificate",
                method: .get,
                headers: auth
            )
            #expect(String(buffer: download.body) == pem)
            #expect(download.headers[.contentDisposition]?.contains("Campus-certificate.pem") == true)

            let duplicate = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: #"{"name": "campus"}"#)
            )
            #expect(duplicate.status == .conflict)
            #expect(try RouterTests.errorCode(duplicate) == "duplicate_name")
            let malformed = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: "{")
            )
            #expect(malformed.status == .badRequest)
            #expect(try RouterTests.errorCode(malformed) == "invalid_body")

            // Every file that does not decrypt gets the same answer: garbage, or a token made for another key.
            let garbage = try await client.execute(
                uri: "/api/v1/tokens/Campus/upload",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: "not a token")
            )
            #expect(garbage.status == .unprocessableContent)
            #expect(try RouterTests.errorCode(garbage) == "token_undecryptable")
            let foreign = try simulator.downloadToken(server: simulator.servers[0].uuid).contents
            let wrongKey = try await client.execute(
                uri: "/api/v1/tokens/Campus/upload",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: foreign)
            )
            #expect(wrongKey.status == .unprocessableContent)
            #expect(String(buffer: wrongKey.body) == String(buffer: garbage.body), "no difference an attacker can read")
            let huge = try await client.execute(
                uri: "/api/v1/tokens/Campus/upload",
                method: .post,
                headers: auth,
                body: ByteBuffer(repeating: 0x41, count: 70_000)
            )
            #expect(huge.status == .contentTooLarge)
            #expect(try await fixture.store.token(named: "Campus")?.uploadedAt == nil, "refused uploads change nothing")

            // The real path: the certificate to a new MDM server in the simulated ABM, its .p7m uploaded.
            let server = simulator.addServer(name: "Campus", devices: 50)
            try simulator.uploadCertificate(pem: pem, server: server.uuid)
            let uploaded = try await client.execute(
                uri: "/api/v1/tokens/Campus/upload",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: try simulator.downloadToken(server: server.uuid).contents)
            )
            #expect(uploaded.status == .ok)
            let outcome = try RouterTests.json(uploaded)
            #expect(outcome["outcome"] as? String == "stored")
            #expect((outcome["token"] as? [String: Any])?["server_name"] as? String == "Campus")

            // A renewal from another MDM server is refused, naming both.
            try simulator.uploadCertificate(pem: pem, server: simulator.servers[1].uuid)
            let other = try await client.execute(
                uri: "/api/v1/tokens/Campus/renew",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: try simulator.downloadToken(server: simulator.servers[1].uuid).contents)
            )
            #expect(other.status == .conflict)
            #expect(try RouterTests.errorCode(other) == "different_server")
            let message = try #require((try RouterTests.json(other)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("Campus") && message.contains("Rejected"))

            let renewed = try await client.execute(
                uri: "/api/v1/tokens/Campus/renew",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: try simulator.downloadToken(server: server.uuid).contents)
            )
            #expect(try RouterTests.json(renewed)["outcome"] as? String == "renewed")

            let deleted = try await client.execute(uri: "/api/v1/tokens/Campus", method: .delete, headers: auth)
            #expect(deleted.status == .noContent)
            #expect(
                try await client.execute(uri: "/api/v1/tokens/Campus", method: .get, headers: auth).status == .notFound
            )
        }
    }

    @Test func uploadsAreRateLimitedAndNeedAWriteToken() async throws {
        try await ServerFixture.with(enroll: false) { fixture, client in
            let (_, reader) = try await fixture.access.createAPIToken(name: "reader", scope: .read)
            let (_, writer) = try await fixture.access.createAPIToken(name: "writer", scope: .write)
            _ = try await fixture.tokens.create(name: "T", baseURL: fixture.harness.baseURL)
            let refused = try await client.execute(
                uri: "/api/v1/tokens/T/upload",
                method: .post,
                headers: [.authorization: "Bearer \(reader)"],
                body: ByteBuffer(string: "x")
            )
            #expect(refused.status == .forbidden)
            let notYet = try await client.execute(
                uri: "/api/v1/tokens/T/renew",
                method: .post,
                headers: [.authorization: "Bearer \(writer)"],
                body: ByteBuffer(string: "x")
            )
            #expect(notYet.status == .conflict, "a renewal needs a first upload")
            for _ in 1..<fixture.configuration.uploadAttempts {
                let attempt = try await client.execute(
                    uri: "/api/v1/tokens/T/upload",
                    method: .post,
                    headers: [.authorization: "Bearer \(writer)"],
                    body: ByteBuffer(string: "x")
                )
                #expect(attempt.status == .unprocessableContent)
            }
            let limited = try await client.execute(
                uri: "/api/v1/tokens/T/upload",
                method: .post,
                headers: [.authorization: "Bearer \(writer)"],
                body: ByteBuffer(string: "x")
            )
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }
}
