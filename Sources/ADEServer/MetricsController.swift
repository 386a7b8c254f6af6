import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird
import HummingbirdAuth
import Prometheus

/// `/metrics` in Prometheus' text format, every name `ade_…`: the counters the sync engine keeps (runs, device
/// changes, calls to Apple by endpoint and status) and, read from the store at each scrape, every token's state,
/// days to expiry, last successful sync and devices — so that Prometheus users alert on them.
struct MetricsController<Context: RequestContext> {
    let store: any TokenStore & SyncRunStore & HealthStore
    let registry: PrometheusCollectorRegistry
    let timeSource: any TimeSource
    /// When set, a scrape needs `Authorization: Bearer <token>`.
    let bearerToken: String?
    /// The thresholds the token states are judged by.
    var healthPolicy = HealthPolicy()

    func addRoutes(to router: Router<Context>) {
        router.get("metrics") { request, _ in
            if let bearerToken {
                guard let given = request.headers.bearer?.token, Self.equal(given, bearerToken) else {
                    return Response(
                        status: .unauthorized,
                        headers: [.wwwAuthenticate: #"Bearer realm="ade metrics""#, .contentType: "text/plain"],
                        body: .init(byteBuffer: ByteBuffer(string: "a bearer token is required\n"))
                    )
                }
            }
            let text = try await render()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }

    /// The registry's counters, then the token gauges.
    func render() async throws -> String {
        let now = timeSource.now()
        let overviews = try await TokenOverview.all(store: store, now: now, policy: healthPolicy)
        var text = registry.emitToString()
        func family(_ name: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        }
        family("ade_token_state", "1 for the state each enrollment program token is in.")
        for overview in overviews {
            text +=
                "ade_token_state{token=\"\(Self.escape(overview.token.name))\",state=\"\(overview.health.state.rawValue)\","
                + "severity=\"\(overview.health.severity.rawValue)\"} 1\n"
        }
        family("ade_token_days_to_expiry", "Whole days until each token expires (negative once expired).")
        for overview in overviews {
            guard let days = overview.health.daysLeft else { continue }
            text += "ade_token_days_to_expiry{token=\"\(Self.escape(overview.token.name))\"} \(days)\n"
        }
        family("ade_token_last_successful_sync_timestamp_seconds", "When each token last synced successfully.")
        for overview in overviews {
            guard let last = overview.lastSuccessAt else { continue }
            text +=
                "ade_token_last_successful_sync_timestamp_seconds{token=\"\(Self.escape(overview.token.name))\"} "
                + "\(Int(last.timeIntervalSince1970))\n"
        }
        family("ade_token_devices", "Devices present in each token.")
        for overview in overviews {
            text += "ade_token_devices{token=\"\(Self.escape(overview.token.name))\"} \(overview.deviceCount)\n"
        }
        family("ade_tokens", "Tokens in each state.")
        let byState = Dictionary(grouping: overviews, by: \.health.state)
        for state in TokenState.allCases {
            text += "ade_tokens{state=\"\(state.rawValue)\"} \(byState[state]?.count ?? 0)\n"
        }
        family("ade_tokens_in_error_state", "Tokens whose state stops Automated Device Enrollment.")
        text += "ade_tokens_in_error_state \(overviews.filter { $0.health.severity == .error }.count)\n"
        return text
    }

    /// A label value escaped as the text format requires.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Compares in constant time.
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
