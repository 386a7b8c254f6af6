import ADECore
import ADESupport
import ADETesting
import DEPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// A device's details refreshed from Apple on demand, through `/api/v1` and the console's device page.
@Suite(.timeLimit(.minutes(2)))
struct DeviceRefreshRoutesTests {
    @Test func theAPIAndTheConsoleRefreshDevicesFromApple() async throws {
        try await ServerFixture.with { fixture, client in
            let healthy = try #require(try await fixture.store.token(named: "Healthy"))
            let serial = try #require(
                try await fixture.store.devices(tokenID: healthy.id, after: nil, limit: 1, includeRemoved: false).first
            ).serialNumber
            // At Apple, between syncs: the device's profile was removed.
            let server = try await fixture.tokens.server(for: healthy)
            _ = try await fixture.tokens.client.removeProfile(server, serials: [serial])

            let (_, writer) = try await fixture.access.createAPIToken(name: "automation", scope: .write)
            let (_, reader) = try await fixture.access.createAPIToken(name: "dashboard", scope: .read)
            func refresh(_ body: String, token: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/tokens/Healthy/refresh-devices",
                    method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: ByteBuffer(string: body)
                )
            }
            #expect(try await refresh(#"{"serials": ["\#(serial)"]}"#, token: reader).status == .forbidden)
            #expect(try await refresh(#"{"serials": []}"#, token: writer).status == .badRequest)
            let answered = try await refresh(
                #"{"serials": ["\#(serial.lowercased())", "C02NOTHERE01"]}"#,
                token: writer
            )
            #expect(answered.status == .ok)
            let body = try RouterTests.json(answered)
            #expect(body["devices"] as? [String: String] == [serial: "SUCCESS", "C02NOTHERE01": "NOT_FOUND"])
            #expect(body["modified"] as? Int == 1)
            #expect(
                try await fixture.store.device(tokenID: healthy.id, serial: serial)?.device.profileStatus == .removed
            )

            // The console's device page: a button, and what Apple answered.
            let session = try await fixture.signIn(client)
            let page = String(
                buffer: try await client.execute(
                    uri: "/tokens/Healthy/devices/\(serial)",
                    method: .get,
                    headers: [.cookie: session.cookie]
                ).body
            )
            #expect(page.contains(#"action="/tokens/Healthy/devices/\#(serial)/refresh""#))
            func post(_ uri: String, csrf: String) async throws -> TestResponse {
                try await client.execute(
                    uri: uri,
                    method: .post,
                    headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf=\(csrf)")
                )
            }
            #expect(try await post("/tokens/Healthy/devices/\(serial)/refresh", csrf: "x").status == .forbidden)
            let refreshed = try await post("/tokens/Healthy/devices/\(serial)/refresh", csrf: session.csrf)
            #expect(refreshed.headers[.location] == "/tokens/Healthy/devices/\(serial)?notice=device_refreshed")
            let shown = String(
                buffer: try await client.execute(
                    uri: "/tokens/Healthy/devices/\(serial)?notice=device_refreshed",
                    method: .get,
                    headers: [.cookie: session.cookie]
                ).body
            )
            #expect(shown.contains("Apple&#39;s details of the device are stored."))
            #expect(try await post("/tokens/Healthy/devices/NOPE/refresh", csrf: session.csrf).status == .notFound)
        }
    }
}
