import DEPClient
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
    public static func after(_ run: SyncRun, token: EnrollmentToken, lastSuccess: SyncRun?) -> TokenTransition? {
        guard run.outcome == .succeeded || run.outcome == .failed else { return nil }
        let at = run.endedAt ?? run.startedAt
        let health = TokenHealth.evaluate(
            token: token,
            lastRun: run,
            lastSuccess: run.outcome == .succeeded ? run : lastSuccess,
            now: at
        )
        guard health.state != token.recordedState else { return nil }
        return TokenTransition(
            from: token.recordedState,
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
        try container.encode(DEPJSON.formatDate(at), forKey: .at)
    }
}
