import ADESupport
public import Foundation

/// A change of a token's state, recorded with the sync run that caused it (and sent as a `token.state_changed`
/// event in the same transaction).
public struct TokenTransition: Sendable, Hashable {
    /// The state recorded before (nil: none was recorded yet).
    public var from: TokenState?
    public var to: TokenState
    public var severity: Severity
    /// The error code of the failed run that decided the new state, if one did.
    public var errorCode: String?
    public var at: Date

    public init(from: TokenState?, to: TokenState, severity: Severity, errorCode: String? = nil, at: Date) {
        self.from = from
        self.to = to
        self.severity = severity
        self.errorCode = errorCode
        self.at = at
    }

    /// The transition a finished run makes: its token's state judged with the run as the latest, when it differs
    /// from the one recorded.
    /// - Parameters:
    ///   - run: The run, finished.
    ///   - token: The token as stored now.
    ///   - summary: The token's runs before this one finished.
    ///   - facts: The token's facts, read before the run was recorded as finished (its failure streak is counted
    ///     here).
    public static func after(
        _ run: SyncRun,
        token: EnrollmentToken,
        summary: RunSummary,
        facts: TokenFacts,
        policy: HealthPolicy = HealthPolicy()
    ) -> TokenTransition? {
        guard run.outcome == .succeeded || run.outcome == .failed else { return nil }
        let at = run.endedAt ?? run.startedAt
        var facts = facts
        facts.failureStreak = run.outcome == .succeeded ? 0 : facts.failureStreak + 1
        let health = TokenHealth.evaluate(
            token: token,
            runs: RunSummary(
                lastFinished: run,
                lastSuccess: run.outcome == .succeeded ? run : summary.lastSuccess,
                lastFailure: run.outcome == .failed ? run : summary.lastFailure
            ),
            facts: facts,
            now: at,
            policy: policy
        )
        return between(token.recordedState, health, at: at)
    }

    /// The transition from a recorded state to a health, nil when the state is the same.
    public static func between(_ recorded: TokenState?, _ health: TokenHealth, at: Date) -> TokenTransition? {
        guard health.state != recorded else { return nil }
        return TokenTransition(
            from: recorded,
            to: health.state,
            severity: health.severity,
            errorCode: health.errorCode,
            at: at
        )
    }
}

/// As the event, the API and `ade token history --format json` write it: `from`, `to`, `severity`, `error_code` and
/// `at` (RFC 3339), absent values as `null`.
extension TokenTransition: Encodable {
    enum CodingKeys: String, CodingKey {
        case from, to, severity, at
        case errorCode = "error_code"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from?.rawValue, forKey: .from)
        try container.encode(to.rawValue, forKey: .to)
        try container.encode(severity.rawValue, forKey: .severity)
        try container.encode(errorCode, forKey: .errorCode)
        try container.encode(Timestamp.format(at), forKey: .at)
    }
}
