public import Foundation

/// A token's state, computed from its expiry date and its latest sync outcome (first cut; later work deepens it).
public enum TokenState: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy
    case expiring
    case expired
    case termsNotAccepted = "terms_not_accepted"
    case rejected
    case accessDenied = "access_denied"
    case forbidden
    case cannotReachApple = "cannot_reach_apple"
    case appleUnavailable = "apple_unavailable"
    case clockSkew = "clock_skew"
    case awaitingUpload = "awaiting_upload"
    case neverSynced = "never_synced"
}

/// How bad a state is: `error` states stop ADE for the token (and make `ade doctor` exit 3).
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case ok, warning, error

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Severity] = [.ok, .warning, .error]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// A token's state with what explains it.
public struct TokenHealth: Sendable, Hashable, Codable {
    public var state: TokenState
    public var severity: Severity
    /// Whole days until the token expires (negative once expired).
    public var daysLeft: Int?
    /// The error code of the last failed run, when it decided the state.
    public var errorCode: String?
    /// When the state's cause was seen (the failed run's end, or the expiry).
    public var since: Date?

    /// Tokens expiring within this many days are `expiring` (a warning)…
    public static let expiringWarningDays = 30
    /// …and within this many, an error.
    public static let expiringErrorDays = 7

    /// Computes a token's state.
    /// - Parameters:
    ///   - token: The token.
    ///   - lastRun: Its latest sync run, if any.
    ///   - lastSuccess: Its latest successful run, if any.
    ///   - now: The time to judge expiry by.
    public static func evaluate(token: EnrollmentToken, lastRun: SyncRun?, lastSuccess: SyncRun?, now: Date)
        -> TokenHealth
    {
        let daysLeft = token.accessTokenExpiry.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) }
        func health(_ state: TokenState, _ severity: Severity, code: String? = nil, since: Date? = nil) -> TokenHealth {
            TokenHealth(state: state, severity: severity, daysLeft: daysLeft, errorCode: code, since: since)
        }
        guard token.uploadedAt != nil else { return health(.awaitingUpload, .warning) }
        if let expiry = token.accessTokenExpiry, expiry <= now {
            return health(.expired, .error, since: expiry)
        }
        if let run = lastRun, run.outcome == .failed, let code = run.errorCode {
            let since = run.endedAt ?? run.startedAt
            switch code {
            case "terms_not_signed": return health(.termsNotAccepted, .error, code: code, since: since)
            case "token_rejected", "signature_invalid", "oauth_unauthorized", "unauthorized":
                return health(.rejected, .error, code: code, since: since)
            case "token_expired": return health(.expired, .error, code: code, since: since)
            case "access_denied": return health(.accessDenied, .error, code: code, since: since)
            case "forbidden": return health(.forbidden, .error, code: code, since: since)
            case "unreachable", "timeout": return health(.cannotReachApple, .warning, code: code, since: since)
            case "server_error", "throttled": return health(.appleUnavailable, .warning, code: code, since: since)
            case "clock_skew": return health(.clockSkew, .warning, code: code, since: since)
            default: break
            }
        }
        guard lastSuccess != nil else { return health(.neverSynced, .warning) }
        if let daysLeft, daysLeft < expiringWarningDays {
            return health(.expiring, daysLeft < expiringErrorDays ? .error : .warning, since: token.accessTokenExpiry)
        }
        return health(.healthy, .ok)
    }
}
