public import Foundation

/// A token's state: what the admin must know about it now. Computed by ``TokenHealth/evaluate(token:runs:facts:now:policy:)``
/// from its expiry date, its latest sync outcomes and its latest assignment outcomes; each state is an entry of the
/// catalogue (``TokenState/entry``).
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
    case throttled
    case syncStalled = "sync_stalled"
    case syncIncomplete = "sync_incomplete"
    case problemConfirming = "problem_confirming"
    case syncPending = "sync_pending"
    case cursorRecovery = "cursor_recovery"
    case assignmentsFailing = "assignments_failing"
    case noDefaultProfile = "no_default_profile"
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
    /// When the state's cause was seen (the failed run's end, the expiry, the last success of a stalled sync …).
    public var since: Date?
    /// The step of the expiry ladder the token has reached (30, 14, 7 or 1 days), when it expires within 30 days.
    public var expiryStep: Int?
    /// Values the state's messages show: `failures` in a row, `percent` of devices, `days` of the ladder, and `count`
    /// (which chooses the plural form): minutes of a clock skew, hours since the last successful sync, devices whose
    /// assignment failed. Without it, `count` is the days left.
    public var details: [String: Int]

    public init(
        state: TokenState,
        severity: Severity,
        daysLeft: Int? = nil,
        errorCode: String? = nil,
        since: Date? = nil,
        expiryStep: Int? = nil,
        details: [String: Int] = [:]
    ) {
        self.state = state
        self.severity = severity
        self.daysLeft = daysLeft
        self.errorCode = errorCode
        self.since = since
        self.expiryStep = expiryStep
        self.details = details
    }

    /// Whole days as a person counts them: a token that expires in 2 days and 23 hours has 3 days left (and 1 in its
    /// last hours); one that expired 5 days and 2 hours ago expired 5 days ago (-5), and one that expired an hour
    /// ago, 1 day ago (-1: never 0, which would read as time left).
    public static func days(left seconds: TimeInterval) -> Int {
        seconds > 0 ? Int((seconds / 86_400).rounded(.up)) : -max(1, Int((-seconds / 86_400).rounded(.down)))
    }

    /// The expiry ladder: reminders when 30, 14, 7 and 1 days are left.
    public static let expiryLadder = [30, 14, 7, 1]
    /// Tokens expiring within this many days are `expiring` (a warning)…
    public static let expiringWarningDays = 30
    /// …and within this many, an error.
    public static let expiringErrorDays = 7

    /// The ladder's step for a time left before expiry: the smallest step that is at least the time left.
    public static func expiryStep(timeLeft: TimeInterval) -> Int? {
        guard timeLeft > 0 else { return nil }
        return expiryLadder.filter { timeLeft <= TimeInterval($0) * 86_400 }.min()
    }

    /// Computes a token's state from its runs alone (no assignment, cursor or streak facts).
    public static func evaluate(token: EnrollmentToken, lastRun: SyncRun?, lastSuccess: SyncRun?, now: Date)
        -> TokenHealth
    {
        var facts = TokenFacts()
        facts.failureStreak = lastRun?.outcome == .failed ? HealthPolicy().failuresBeforeAlert : 0
        facts.hasDefaultProfile = true
        return evaluate(
            token: token,
            runs: RunSummary(
                lastFinished: lastRun,
                lastSuccess: lastSuccess,
                lastFailure: lastRun?.outcome == .failed ? lastRun : nil
            ),
            facts: facts,
            now: now
        )
    }

    /// Computes a token's state. The first cause that applies decides, in this order: no server token; expired;
    /// a refusal of the token by Apple (terms, rejected, access denied, forbidden, clock skew); the network or Apple
    /// failing several runs in a row (cannot reach Apple, Apple unavailable); throttling; never synced; no success
    /// for longer than the policy's stall; the expiry ladder; a cursor being recovered; assignments failing; no
    /// default profile.
    /// - Parameters:
    ///   - token: The token (its expiry and upload).
    ///   - runs: Its latest runs.
    ///   - facts: Its failure streak, cursor recovery and assignment outcomes.
    ///   - now: The time to judge by.
    ///   - policy: The thresholds.
    public static func evaluate(
        token: EnrollmentToken,
        runs: RunSummary,
        facts: TokenFacts,
        now: Date,
        policy: HealthPolicy = HealthPolicy()
    ) -> TokenHealth {
        let timeLeft = token.accessTokenExpiry.map { $0.timeIntervalSince(now) }
        let daysLeft = timeLeft.map(Self.days(left:))
        func health(
            _ state: TokenState,
            code: String? = nil,
            since: Date? = nil,
            details: [String: Int] = [:]
        ) -> TokenHealth {
            TokenHealth(
                state: state,
                severity: state.entry.severity,
                daysLeft: daysLeft,
                errorCode: code,
                // Without a cause that dates itself, the state is as old as its recorded change.
                since: since ?? (token.recordedState == state ? token.recordedStateSince : nil),
                expiryStep: timeLeft.flatMap(expiryStep(timeLeft:)),
                details: details
            )
        }
        guard let uploadedAt = token.uploadedAt else { return health(.awaitingUpload, since: token.createdAt) }
        if let expiry = token.accessTokenExpiry, expiry <= now {
            return health(.expired, since: expiry)
        }
        let failure = runs.lastFinished.flatMap { $0.outcome == .failed ? $0 : nil }
        // A failure of the server token the admin has since replaced says nothing of the new one: until a run
        // with it ends, the token is waiting for that run (never "Expired" beside "renewed").
        if let run = failure, run.startedAt < uploadedAt { return health(.syncPending, since: uploadedAt) }
        if let run = failure, let code = run.errorCode {
            let since = run.endedAt ?? run.startedAt
            let repeated = facts.failureStreak >= policy.failuresBeforeAlert
            switch code {
            case "terms_not_signed": return health(.termsNotAccepted, code: code, since: since)
            case "token_rejected", "signature_invalid", "oauth_unauthorized", "unauthorized":
                return health(.rejected, code: code, since: since)
            case "token_expired": return health(.expired, code: code, since: since)
            case "access_denied": return health(.accessDenied, code: code, since: since)
            case "forbidden": return health(.forbidden, code: code, since: since)
            case "clock_skew":
                let seconds = run.errorParameters["skewSeconds"].flatMap(Int.init) ?? 0
                let minutes = max(1, Int((seconds.magnitude + 30) / 60))
                return health(.clockSkew, code: code, since: since, details: ["count": minutes])
            case "unreachable" where repeated, "timeout" where repeated:
                return health(.cannotReachApple, code: code, since: since, details: ["failures": facts.failureStreak])
            case "server_error" where repeated:
                return health(.appleUnavailable, code: code, since: since, details: ["failures": facts.failureStreak])
            case "unreachable", "timeout", "server_error":
                // Shown from the first failed run, so that nobody reads "Healthy" meanwhile; alerting waits for
                // the policy's streak.
                return health(
                    .problemConfirming,
                    code: code,
                    since: since,
                    details: ["failures": max(1, facts.failureStreak), "count": policy.failuresBeforeAlert]
                )
            case "throttled": return health(.throttled, code: code, since: since)
            case "same_cursor": return health(.syncIncomplete, code: code, since: since)
            default: break
            }
        }
        guard let success = runs.lastSuccess else { return health(.neverSynced, since: uploadedAt) }
        let lastSynced = success.endedAt ?? success.startedAt
        if now.timeIntervalSince(lastSynced) > policy.syncStalledAfter {
            return health(
                .syncStalled,
                code: failure?.errorCode,
                since: lastSynced,
                details: ["count": Int(now.timeIntervalSince(lastSynced) / 3600)]
            )
        }
        if let timeLeft, let step = expiryStep(timeLeft: timeLeft), let expiry = token.accessTokenExpiry {
            // Expiring since the token entered the reminder window, not since the date it expires.
            let entered = expiry.addingTimeInterval(-TimeInterval(expiringWarningDays) * 86_400)
            var expiring = health(.expiring, since: entered, details: ["days": step])
            expiring.severity = timeLeft <= TimeInterval(expiringErrorDays) * 86_400 ? .error : .warning
            return expiring
        }
        if let since = facts.recoverySince { return health(.cursorRecovery, since: since) }
        if facts.failingAssignments > 0, facts.presentDevices > 0 {
            let share = Double(facts.failingAssignments) / Double(facts.presentDevices)
            if share >= policy.assignmentFailureShare {
                return health(
                    .assignmentsFailing,
                    details: [
                        "count": facts.failingAssignments,
                        "percent": max(1, Int((share * 100).rounded())),
                    ]
                )
            }
        }
        if !facts.hasDefaultProfile, facts.presentDevices > 0 { return health(.noDefaultProfile) }
        return health(.healthy)
    }
}
