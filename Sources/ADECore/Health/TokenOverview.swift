public import Foundation

/// What the token list shows of one token: its row, its health, its devices and its latest sync outcomes.
public struct TokenOverview: Sendable, Hashable {
    public var token: EnrollmentToken
    public var health: TokenHealth
    /// Devices present (not removed).
    public var deviceCount: Int
    /// When the latest successful sync ended.
    public var lastSuccessAt: Date?
    /// The latest failed run's error code, when it is newer than the latest success.
    public var lastErrorCode: String?
    /// When that failed run ended.
    public var lastErrorAt: Date?
    /// That failed run's error details (`status`, `skewSeconds` …), for its message.
    public var lastErrorParameters: [String: String]

    public init(
        token: EnrollmentToken,
        health: TokenHealth,
        deviceCount: Int,
        lastSuccessAt: Date? = nil,
        lastErrorCode: String? = nil,
        lastErrorAt: Date? = nil,
        lastErrorParameters: [String: String] = [:]
    ) {
        self.token = token
        self.health = health
        self.deviceCount = deviceCount
        self.lastSuccessAt = lastSuccessAt
        self.lastErrorCode = lastErrorCode
        self.lastErrorAt = lastErrorAt
        self.lastErrorParameters = lastErrorParameters
    }

    /// A token's overview from its run summary, facts and present device count.
    public init(
        _ token: EnrollmentToken,
        summary: RunSummary,
        facts: TokenFacts,
        deviceCount: Int,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) {
        let failureIsCurrent =
            summary.lastFailure.map { failure in summary.lastSuccess.map { failure.id > $0.id } ?? true } ?? false
        self.init(
            token: token,
            health: TokenHealth.evaluate(token: token, runs: summary, facts: facts, now: now, policy: policy),
            deviceCount: deviceCount,
            lastSuccessAt: summary.lastSuccess.map { $0.endedAt ?? $0.startedAt },
            lastErrorCode: failureIsCurrent ? summary.lastFailure?.errorCode : nil,
            lastErrorAt: failureIsCurrent ? summary.lastFailure.map { $0.endedAt ?? $0.startedAt } : nil,
            lastErrorParameters: failureIsCurrent ? summary.lastFailure?.errorParameters ?? [:] : [:]
        )
    }

    /// One token's overview.
    public static func make(
        _ token: EnrollmentToken,
        store: any SyncRunStore & HealthStore & DeviceSyncStore,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) async throws -> TokenOverview {
        TokenOverview(
            token,
            summary: try await store.runSummaries(tokenIDs: [token.id])[token.id] ?? RunSummary(),
            facts: try await store.tokenFacts(tokenIDs: [token.id])[token.id] ?? TokenFacts(),
            deviceCount: try await store.deviceCount(tokenID: token.id, includeRemoved: false),
            now: now,
            policy: policy
        )
    }

    /// Every token's overview, by name, in three reads whatever the number of tokens.
    public static func all(
        store: any TokenStore & SyncRunStore & HealthStore,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) async throws
        -> [TokenOverview]
    {
        let tokens = try await store.tokens()
        let summaries = try await store.runSummaries(tokenIDs: nil)
        let facts = try await store.tokenFacts(tokenIDs: nil)
        return tokens.map { token in
            let facts = facts[token.id] ?? TokenFacts()
            return TokenOverview(
                token,
                summary: summaries[token.id] ?? RunSummary(),
                facts: facts,
                deviceCount: facts.presentDevices,
                now: now,
                policy: policy
            )
        }
    }

    /// A page of token overviews by name, after `name`, of at most `limit` tokens, in one store read.
    public static func page(
        after name: String?,
        limit: Int,
        store: any TokenListStore,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) async throws -> [TokenOverview] {
        try await store.tokenList(after: name, limit: limit).map { entry in
            TokenOverview(
                entry.token,
                summary: entry.runs,
                facts: entry.facts,
                deviceCount: entry.presentDevices,
                now: now,
                policy: policy
            )
        }
    }
}
