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

    public init(
        token: EnrollmentToken,
        health: TokenHealth,
        deviceCount: Int,
        lastSuccessAt: Date? = nil,
        lastErrorCode: String? = nil,
        lastErrorAt: Date? = nil
    ) {
        self.token = token
        self.health = health
        self.deviceCount = deviceCount
        self.lastSuccessAt = lastSuccessAt
        self.lastErrorCode = lastErrorCode
        self.lastErrorAt = lastErrorAt
    }

    /// One token's overview, from its recorded runs (the latest 50) and device count.
    public static func make(_ token: EnrollmentToken, store: any ADEStore, now: Date) async throws -> TokenOverview {
        let runs = try await store.runs(tokenID: token.id, limit: 50)
        let lastRun = runs.first { $0.outcome != .running }
        let lastSuccess = runs.first { $0.outcome == .succeeded }
        let lastFailure = runs.first { $0.outcome == .failed }
        let failureIsCurrent = lastFailure.map { failure in lastSuccess.map { failure.id > $0.id } ?? true } ?? false
        return TokenOverview(
            token: token,
            health: TokenHealth.evaluate(token: token, lastRun: lastRun, lastSuccess: lastSuccess, now: now),
            deviceCount: try await store.deviceCount(tokenID: token.id, includeRemoved: false),
            lastSuccessAt: lastSuccess.map { $0.endedAt ?? $0.startedAt },
            lastErrorCode: failureIsCurrent ? lastFailure?.errorCode : nil,
            lastErrorAt: failureIsCurrent ? lastFailure.map { $0.endedAt ?? $0.startedAt } : nil
        )
    }

    /// Every token's overview, by name.
    public static func all(store: any ADEStore, now: Date) async throws -> [TokenOverview] {
        var overviews: [TokenOverview] = []
        for token in try await store.tokens() {
            overviews.append(try await make(token, store: store, now: now))
        }
        return overviews
    }
}
