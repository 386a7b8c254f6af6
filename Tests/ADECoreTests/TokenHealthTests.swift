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
        ("unreachable", .cannotReachApple, .warning),
        ("timeout", .cannotReachApple, .warning),
        ("server_error", .appleUnavailable, .warning),
        ("throttled", .appleUnavailable, .warning),
        ("clock_skew", .clockSkew, .warning),
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
        #expect(soon.state == .expiring && soon.severity == .warning && soon.daysLeft == 20)
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
}
