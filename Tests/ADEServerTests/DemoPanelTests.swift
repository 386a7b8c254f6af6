import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// The demo panel switches the simulator's faults through its control API, and the token follows.
@Suite(.timeLimit(.minutes(2)))
struct DemoPanelTests {
    @Test func aFaultSwitchedOnAndOffThroughThePanel() async throws {
        try await ServerFixture.with(withScheduler: true) { fixture, client in
            let session = try await fixture.signIn(client)
            let uuid = fixture.harness.simulator.servers[0].uuid
            let page = try await client.execute(uri: "/demo", method: .get, headers: [.cookie: session.cookie])
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("Token revoked or superseded"))
            #expect(html.contains("/demo/\(uuid)/tokenRevoked"))
            var form: HTTPFields = [.cookie: session.cookie]
            form[.contentType] = "application/x-www-form-urlencoded"

            let forged = try await client.execute(
                uri: "/demo/\(uuid)/tokenRevoked",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "state=on")
            )
            #expect(forged.status == .forbidden)
            let on = try await client.execute(
                uri: "/demo/\(uuid)/tokenRevoked",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&state=on")
            )
            #expect(on.status == .seeOther)
            #expect(try fixture.harness.simulator.faults(server: uuid).tokenRevoked)
            let after = String(
                buffer: try await client.execute(
                    uri: "/demo?changed=1",
                    method: .get,
                    headers: [.cookie: session.cookie]
                ).body
            )
            #expect(after.contains("faults changed; the token syncs now"))
            #expect(after.contains("fault fault-on"))

            let throttled = try await client.execute(
                uri: "/demo/\(uuid)/throttle",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&state=on")
            )
            #expect(throttled.status == .seeOther)
            #expect(try fixture.harness.simulator.faults(server: uuid).throttle?.rate == 1)
            for key in ["tokenRevoked", "throttle"] {
                _ = try await client.execute(
                    uri: "/demo/\(uuid)/\(key)",
                    method: .post,
                    headers: form,
                    body: ByteBuffer(string: "csrf=\(session.csrf)&state=off")
                )
            }
            #expect(try fixture.harness.simulator.faults(server: uuid) == SimulatedFaults())

            let unknown = try await client.execute(
                uri: "/demo/\(uuid)/noSuchFault",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&state=on")
            )
            #expect(unknown.status == .badRequest)
        }
    }
}
