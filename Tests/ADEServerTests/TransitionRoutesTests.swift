import ADECore
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// A token's history of states, through `/api/v1` and the console's token page.
@Suite(.timeLimit(.minutes(2)))
struct TransitionRoutesTests {
    @Test func theHistoryOfARejectedToken() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, reader) = try await fixture.access.createAPIToken(name: "dashboard", scope: .read)
            let answer = try await client.execute(
                uri: "/api/v1/tokens/Rejected/transitions",
                method: .get,
                headers: [.authorization: "Bearer \(reader)"]
            )
            #expect(answer.status == .ok)
            let transitions = try #require(try RouterTests.json(answer)["transitions"] as? [[String: Any]])
            #expect(transitions.map { $0["to"] as? String } == ["rejected", "healthy"], "newest first")
            #expect(transitions[0]["from"] as? String == "healthy" && transitions[0]["severity"] as? String == "error")
            #expect(transitions[1]["from"] is NSNull, "the first state came from none")
            let unknown = try await client.execute(
                uri: "/api/v1/tokens/Nope/transitions",
                method: .get,
                headers: [.authorization: "Bearer \(reader)"]
            )
            #expect(unknown.status == .notFound)

            let session = try await fixture.signIn(client)
            let page = String(
                buffer: try await client.execute(
                    uri: "/tokens/Rejected",
                    method: .get,
                    headers: [.cookie: session.cookie]
                ).body
            )
            #expect(page.contains("State history"))
            #expect(page.contains(#"<span class="state state-error">Token rejected</span>"#), "\(page)")
        }
    }
}
