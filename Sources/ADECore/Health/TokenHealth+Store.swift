public import Foundation

extension TokenHealth {
    /// A token's health from what the store holds: its latest runs and its facts.
    public static func evaluate(
        _ token: EnrollmentToken,
        store: any SyncRunStore & HealthStore,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) async throws -> TokenHealth {
        evaluate(
            token: token,
            runs: try await store.runSummaries(tokenIDs: [token.id])[token.id] ?? RunSummary(),
            facts: try await store.tokenFacts(tokenIDs: [token.id])[token.id] ?? TokenFacts(),
            now: now,
            policy: policy
        )
    }
}
