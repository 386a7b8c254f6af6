import ADECore
import ADESupport
import ADETesting
import DEPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import ADEServer

/// `/metrics`: every name `ade_…`, the sync counters and each token's state, expiry, last sync and devices.
@Suite(.timeLimit(.minutes(2)))
struct MetricsTests {
    @Test func tokenStatesAndSyncCountersAreExposed() async throws {
        try await ServerFixture.with { _, client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok, "open unless a token is configured, like /healthz")
            let text = String(buffer: response.body)
            #expect(text.contains(#"ade_token_state{token="Healthy",state="healthy",severity="ok"} 1"#))
            #expect(text.contains(#"ade_token_state{token="Rejected",state="rejected",severity="error"} 1"#))
            #expect(text.contains(#"ade_token_devices{token="Healthy"} 1200"#))
            #expect(text.contains(#"ade_token_days_to_expiry{token="Healthy"} 36"#))
            #expect(text.contains(#"ade_tokens{state="rejected"} 1"#))
            #expect(text.contains("ade_tokens_in_error_state 1"))
            #expect(text.contains(#"ade_sync_runs_total{kind="full",outcome="succeeded"} 2"#))
            #expect(text.contains(#"ade_sync_runs_total{kind="delta",outcome="failed"} 1"#))
            #expect(text.contains("ade_token_last_successful_sync_timestamp_seconds{token=\"Healthy\"}"))
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.hasPrefix("ade_"), "\(line)")
            }
        }
    }

    @Test func aConfiguredTokenProtectsTheMetrics() async throws {
        let router = Router(context: BasicRequestContext.self)
        MetricsController<BasicRequestContext>(
            store: MemoryStore(),
            registry: PrometheusCollectorRegistry(),
            timeSource: SystemTimeSource(),
            bearerToken: "scrape-secret"
        ).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/metrics",
                method: .get,
                headers: [.authorization: "Bearer nope"]
            )
            #expect(wrong.status == .unauthorized)
            let right = try await client.execute(
                uri: "/metrics",
                method: .get,
                headers: [.authorization: "Bearer scrape-secret"]
            )
            #expect(right.status == .ok)
            #expect(String(buffer: right.body).contains("ade_tokens_in_error_state 0"))
        }
    }

    @Test func callsToAppleAreCountedByEndpointAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = SyncMetrics(factory: PrometheusMetricsFactory(registry: registry))
        try await SimulatorHarness.with { harness in
            let http = try HTTPClientTransport()
            let client = DEPClient(
                transport: MeteredTransport(http, metrics: metrics),
                logger: SimulatorHarness.quietLogger
            )
            do {
                _ = try await client.account(harness.defaultServer)
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
            let text = registry.emitToString()
            #expect(text.contains(#"ade_apple_requests_total{endpoint="/session",status="200"} 1"#))
            #expect(text.contains(#"ade_apple_requests_total{endpoint="/account",status="200"} 1"#))
        }
    }
}
