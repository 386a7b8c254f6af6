import ADECore
import Foundation
import Testing

struct TokenHealthTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func token(uploaded: Bool = true, expiresInDays days: Double = 200) -> EnrollmentToken {
        EnrollmentToken(
            id: 1,
            name: "T",
            baseURL: URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: now,
            accessTokenExpiry: now.addingTimeInterval(days * 86_400),
            uploadedAt: uploaded ? now : nil
        )
    }

    private func run(_ outcome: SyncRun.Outcome, _ code: String? = nil) -> SyncRun {
        SyncRun(id: 1, tokenID: 1, kind: .delta, startedAt: now, endedAt: now, outcome: outcome, errorCode: code)
    }

    @Test(arguments: [
        ("terms_not_signed", TokenState.termsNotAccepted, Severity.error),
        ("token_rejected", .rejected, .error),
        ("signature_invalid", .rejected, .error),
        ("token_expired", .expired, .error),
        ("access_denied", .accessDenied, .error),
        ("forbidden", .forbidden, .error),
        ("unreachable", .cannotReachApple, .error),
        ("timeout", .cannotReachApple, .error),
        ("server_error", .appleUnavailable, .warning),
        ("throttled", .throttled, .warning),
        ("clock_skew", .clockSkew, .error),
    ])
    func aFailedRunDecidesTheState(code: String, state: TokenState, severity: Severity) {
        let health = TokenHealth.evaluate(
            token: token(),
            lastRun: run(.failed, code),
            lastSuccess: run(.succeeded),
            now: now
        )
        #expect(health.state == state)
        #expect(health.severity == severity)
        #expect(health.errorCode == code)
    }

    @Test func expiryAndLifecycleStates() {
        #expect(
            TokenHealth.evaluate(token: token(uploaded: false), lastRun: nil, lastSuccess: nil, now: now).state
                == .awaitingUpload
        )
        #expect(TokenHealth.evaluate(token: token(), lastRun: nil, lastSuccess: nil, now: now).state == .neverSynced)
        let healthy = TokenHealth.evaluate(
            token: token(),
            lastRun: run(.succeeded),
            lastSuccess: run(.succeeded),
            now: now
        )
        #expect(healthy.state == .healthy && healthy.severity == .ok && healthy.daysLeft == 200)
        let soon = TokenHealth.evaluate(
            token: token(expiresInDays: 20.5),
            lastRun: run(.succeeded),
            lastSuccess: run(.succeeded),
            now: now
        )
        #expect(soon.state == .expiring && soon.severity == .warning && soon.daysLeft == 21, "20½ days: 21 to count")
        let imminent = TokenHealth.evaluate(
            token: token(expiresInDays: 3),
            lastRun: run(.succeeded),
            lastSuccess: run(.succeeded),
            now: now
        )
        #expect(imminent.state == .expiring && imminent.severity == .error)
        let expired = TokenHealth.evaluate(
            token: token(expiresInDays: -1),
            lastRun: run(.succeeded),
            lastSuccess: run(.succeeded),
            now: now
        )
        #expect(expired.state == .expired && expired.severity == .error)
        // A success after a failure clears the state.
        #expect(
            TokenHealth.evaluate(token: token(), lastRun: run(.succeeded), lastSuccess: run(.succeeded), now: now).state
                == .healthy
        )
    }

    private func evaluate(
        expiresInDays days: Double = 200,
        last: SyncRun? = nil,
        success: SyncRun? = nil,
        facts: TokenFacts = TokenFacts(hasDefaultProfile: true)
    ) -> TokenHealth {
        TokenHealth.evaluate(
            token: token(expiresInDays: days),
            runs: RunSummary(
                lastFinished: last,
                lastSuccess: success,
                lastFailure: last?.outcome == .failed ? last : nil
            ),
            facts: facts,
            now: now
        )
    }

    @Test func networkAndAppleFailuresNeedAStreak() {
        let ok = run(.succeeded)
        for code in ["unreachable", "timeout", "server_error"] {
            // One or two failures are retried by the scheduler: the token says a problem is being confirmed (never
            // "Healthy" after a failed run), and nobody is alerted yet.
            let once = evaluate(
                last: run(.failed, code),
                success: ok,
                facts: TokenFacts(failureStreak: 2, hasDefaultProfile: true)
            )
            #expect(once.state == .problemConfirming, "\(code)")
            #expect(once.details["failures"] == 2 && once.since != nil)
            let repeated = evaluate(
                last: run(.failed, code),
                success: ok,
                facts: TokenFacts(failureStreak: 3, hasDefaultProfile: true)
            )
            #expect(repeated.state == (code == "server_error" ? .appleUnavailable : .cannotReachApple))
            #expect(repeated.details["failures"] == 3)
        }
    }

    @Test func clockSkewShowsTheMinutes() {
        var skewed = run(.failed, "clock_skew")
        skewed.errorParameters = ["skewSeconds": "-1850"]
        let health = evaluate(last: skewed, success: run(.succeeded))
        #expect(health.state == .clockSkew && health.details["count"] == 31)
        let text = health.text(tokenName: "T", locale: .english)
        #expect(text.cause.contains("31 minutes"))
    }

    @Test func stalledRecoveringAssignmentsAndDefaults() {
        let old = SyncRun(
            id: 1,
            tokenID: 1,
            kind: .delta,
            startedAt: now,
            endedAt: now.addingTimeInterval(-25 * 3600),
            outcome: .succeeded
        )
        let stalled = evaluate(last: run(.failed, "internal"), success: old)
        #expect(stalled.state == .syncStalled && stalled.severity == .error && stalled.details["count"] == 25)
        #expect(evaluate(last: old, success: old).state == .syncStalled)
        let ok = run(.succeeded)
        let recovering = evaluate(last: ok, success: ok, facts: TokenFacts(recoverySince: now, hasDefaultProfile: true))
        #expect(recovering.state == .cursorRecovery && recovering.severity == .warning)
        let failing = evaluate(
            last: ok,
            success: ok,
            facts: TokenFacts(failingAssignments: 60, presentDevices: 1000, hasDefaultProfile: true)
        )
        #expect(
            failing.state == .assignmentsFailing && failing.details["percent"] == 6 && failing.details["count"] == 60
        )
        // Under the share (5 %), the device lists show them; the token is not in a state for it.
        let few = evaluate(
            last: ok,
            success: ok,
            facts: TokenFacts(failingAssignments: 40, presentDevices: 1000, hasDefaultProfile: true)
        )
        #expect(few.state == .healthy)
        #expect(evaluate(last: ok, success: ok, facts: TokenFacts(presentDevices: 10)).state == .noDefaultProfile)
        // No devices: nothing to assign, no default needed yet.
        #expect(evaluate(last: ok, success: ok, facts: TokenFacts()).state == .healthy)
    }

    @Test func theExpiryLadder() {
        let ok = run(.succeeded)
        let steps = [
            (45.0, nil), (30.0, 30), (29.9, 30), (14.0, 14), (8.0, 14), (7.0, 7), (1.5, 7), (1.0, 1), (0.1, 1),
        ]
        for (days, step) in steps {
            let health = evaluate(expiresInDays: days, last: ok, success: ok)
            #expect(health.expiryStep == step, "\(days) days")
            #expect(health.state == (step == nil ? .healthy : .expiring), "\(days) days")
            if let step { #expect(health.severity == (step <= 7 ? .error : .warning), "\(days) days") }
        }
        #expect(evaluate(expiresInDays: -0.1, last: ok, success: ok).expiryStep == nil)
    }

    @Test func everyEntryHasItsKeysAndNoMore() throws {
        let english = try #require(MessageCatalogue.bundled.languages["en"])
        for state in TokenState.allCases {
            let entry = state.entry
            for key in entry.keys { #expect(english[key.rawValue] != nil, "\(key)") }
            #expect(english["state.\(state.rawValue).step.\(entry.stepCount + 1)"] == nil, "\(state) has more steps")
            #expect(entry.severity == .ok ? [.healthy, .syncPending].contains(state) : entry.stepCount > 0, "\(state)")
        }
    }
}

/// Days as a person counts them, and a `since` that is never in the future and never missing for a dated state.
struct TokenHealthDatesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let dayCases: [(TimeInterval, Int)] = [
        (259_200 - 3600, 3), (216_000, 3), (3600, 1), (86_400, 1), (86_401, 2), (-3600, -1), (-439_200, -5),
        (-518_400, -6),
    ]

    @Test func daysAreCountedAsAPersonCountsThem() {
        for (seconds, days) in Self.dayCases {
            #expect(TokenHealth.days(left: seconds) == days, "\(seconds) s")
        }
    }

    static func token(expiresIn seconds: TimeInterval) -> EnrollmentToken {
        EnrollmentToken(
            id: 1,
            name: "T",
            baseURL: URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: now.addingTimeInterval(-400 * 86_400),
            accessTokenExpiry: now.addingTimeInterval(seconds),
            uploadedAt: now.addingTimeInterval(-300 * 86_400)
        )
    }

    static func run(_ outcome: SyncRun.Outcome, code: String? = nil, endedAgo: TimeInterval) -> SyncRun {
        SyncRun(
            id: outcome == .succeeded ? 1 : 2,
            tokenID: 1,
            kind: .delta,
            startedAt: now.addingTimeInterval(-endedAgo - 5),
            endedAt: now.addingTimeInterval(-endedAgo),
            outcome: outcome,
            errorCode: code
        )
    }

    @Test func anExpiringTokenIsExpiringSinceItEnteredTheWindow() {
        let health = TokenHealth.evaluate(
            token: Self.token(expiresIn: 3 * 86_400 - 60),
            runs: RunSummary(
                lastFinished: Self.run(.succeeded, endedAgo: 60),
                lastSuccess: Self.run(.succeeded, endedAgo: 60)
            ),
            facts: TokenFacts(presentDevices: 0),
            now: Self.now
        )
        #expect(health.state == .expiring)
        #expect(health.daysLeft == 3)
        let since = try? #require(health.since)
        #expect(since.map { $0 <= Self.now } == true, "not a future date")
    }

    @Test func cannotReachAppleSaysSinceWhen() {
        let failure = Self.run(.failed, code: "unreachable", endedAgo: 120)
        let health = TokenHealth.evaluate(
            token: Self.token(expiresIn: 200 * 86_400),
            runs: RunSummary(
                lastFinished: failure,
                lastSuccess: Self.run(.succeeded, endedAgo: 3600),
                lastFailure: failure
            ),
            facts: TokenFacts(failureStreak: 3, presentDevices: 0),
            now: Self.now
        )
        #expect(health.state == .cannotReachApple)
        #expect(health.since != nil)
    }

    @Test func aFailureOfAReplacedServerTokenNoLongerCounts() {
        let failed = Self.run(.failed, code: "token_expired", endedAgo: 600)
        var token = Self.token(expiresIn: 365 * 86_400)
        token.uploadedAt = failed.startedAt.addingTimeInterval(60)
        let health = TokenHealth.evaluate(
            token: token,
            runs: RunSummary(lastFinished: failed, lastSuccess: nil, lastFailure: failed),
            facts: TokenFacts(hasDefaultProfile: true),
            now: Self.now
        )
        #expect(health.state == .syncPending, "not Expired beside the renewal's notice")
        #expect(health.severity == .ok)
    }

    /// What each state lists as broken agrees with what its page says: the network and the clock stop sync and
    /// assignment, and devices that already have a profile still enroll.
    @Test func statesThatLetEnrolledDevicesEnrollDoNotListEnrollment() {
        for state in [TokenState.cannotReachApple, .clockSkew, .appleUnavailable] {
            #expect(state.entry.breaks == [.deviceSync, .profileAssignment], "\(state)")
            let impact = MessageCatalogue.bundled.string(state.impactKey, locale: .english)
            #expect(impact.contains("still enroll"), "\(state)")
        }
        #expect(TokenState.expiring.entry.breaks.isEmpty, "an expiring token stops nothing yet")
    }
}
