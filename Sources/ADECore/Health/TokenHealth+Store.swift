public import Foundation

extension TokenHealth {
    /// A token's health from its recorded sync runs: the latest finished run and the latest success among its last
    /// 50 runs.
    public static func evaluate(_ token: EnrollmentToken, runs store: any SyncRunStore, now: Date) async throws
        -> TokenHealth
    {
        let runs = try await store.runs(tokenID: token.id, limit: 50)
        return evaluate(
            token: token,
            lastRun: runs.first { $0.outcome != .running },
            lastSuccess: runs.first { $0.outcome == .succeeded },
            now: now
        )
    }
}
