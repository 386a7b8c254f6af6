public import CoreMetrics

/// What the sync engine and the calls to Apple count, for `/metrics` (every name `ade_…`). Emitted through the
/// factory the caller gives; nothing when none is given.
public struct SyncMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// A finished sync run: `ade_sync_runs_total{kind, outcome}` and `ade_sync_device_changes_total{change}`.
    func record(_ run: SyncRun) {
        Counter(
            label: "ade_sync_runs_total",
            dimensions: [("kind", run.kind.rawValue), ("outcome", run.outcome.rawValue)],
            factory: factory
        ).increment()
        for (change, count) in [("added", run.added), ("modified", run.modified), ("removed", run.removed)]
        where count > 0 {
            Counter(label: "ade_sync_device_changes_total", dimensions: [("change", change)], factory: factory)
                .increment(by: Int64(count))
        }
    }

    /// A call to Apple's service: `ade_apple_requests_total{endpoint, status}` (`status` is the HTTP status, or
    /// `unreachable` / `timeout` when no answer came).
    func recordRequest(endpoint: String, status: String) {
        Counter(
            label: "ade_apple_requests_total",
            dimensions: [("endpoint", endpoint), ("status", status)],
            factory: factory
        ).increment()
    }
}
