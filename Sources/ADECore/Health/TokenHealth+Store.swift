public import Foundation

extension TokenHealth {
    /// A token's health from its recorded sync runs: the latest finished run and the latest success.
    public static func evaluate(_ token: EnrollmentToken, runs store: any SyncRunStore, now: Date) async throws
        -> TokenHealth
    {
        let summary = try await store.runSummaries(tokenIDs: [token.id])[token.id] ?? RunSummary()
        return evaluate(token: token, lastRun: summary.lastFinished, lastSuccess: summary.lastSuccess, now: now)
    }
}
