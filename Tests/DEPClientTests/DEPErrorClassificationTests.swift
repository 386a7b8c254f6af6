import DEPClient
import Foundation
import Testing

struct DEPErrorClassificationTests {
    private func classify(_ status: Int, _ body: String, session: Bool = false, headers: [(String, String)] = [])
        -> DEPError
    {
        DEPError.classify(
            DEPHTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)),
            endpoint: session ? "/session" : "/server/devices",
            isSession: session,
            now: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    @Test(arguments: [
        (400, "EXHAUSTED_CURSOR", DEPError.Code.cursorExhausted),
        (400, "EXPIRED_CURSOR", .cursorExpired),
        (400, "INVALID_CURSOR", .cursorInvalid),
        (400, "CURSOR_REQUIRED", .cursorRequired),
        (400, "MALFORMED_REQUEST_BODY", .malformedRequest),
        (400, "USER_AGENT_MISSING", .userAgentMissing),
        (400, "USER_AGENT_INVALID", .userAgentInvalid),
        (400, "DEVICE_ID_REQUIRED", .deviceIDRequired),
        (404, "DEVICE_NOT_FOUND", .deviceNotFound),
        (400, "CONFIG_NAME_REQUIRED", .profileNameRequired),
        (400, "CONFIG_NAME_INVALID", .profileNameInvalid),
        (400, "CONFIG_URL_REQUIRED", .profileURLRequired),
        (400, "CONFIG_URL_INVALID", .profileURLInvalid),
        (400, "DEPARTMENT_INVALID", .departmentInvalid),
        (400, "MAGIC_INVALID", .magicInvalid),
        (400, "SUPPORT_EMAIL_INVALID", .supportEmailInvalid),
        (400, "SUPPORT_PHONE_INVALID", .supportPhoneInvalid),
        (400, "DESCRIPTION_INVALID", .descriptionInvalid),
        (400, "FLAGS_INVALID", .flagsInvalid),
        (400, "LOCALE_INVALID", .localeInvalid),
        (400, "PROFILE_UUID_REQUIRED", .profileUUIDRequired),
        (404, "PROFILE_NOT_FOUND", .profileNotFound),
        (400, "PROFILE_NOT_FOUND", .profileNotFound),
        (404, "NOT_FOUND", .notFound),
        (403, "APPLE_SEED_FOR_IT_TURNED_OFF", .appleSeedTurnedOff),
        (400, "MDM_SERVICE_DISCOVERY_URL_REQUIRED", .serviceDiscoveryURLRequired),
        (400, "MDM_SERVICE_DISCOVERY_URL_NOT_VALID", .serviceDiscoveryURLInvalid),
        (400, "ORG_NOT_SUPPORTED", .orgNotSupported),
        (403, "T_C_NOT_SIGNED", .termsNotSigned),
        (403, "ACCESS_DENIED", .accessDenied),
        (403, "FORBIDDEN", .forbidden),
        (401, "UNAUTHORIZED", .unauthorized),
        (401, "oauth_problem=token_rejected", .tokenRejected),
        (403, "oauth_problem_adv=token_rejected", .tokenRejected),
        (403, "signature_invalid", .signatureInvalid),
        (405, "", .methodNotAllowed),
        (429, "TOO_MANY_REQUESTS", .throttled),
        (500, "Internal Server Error", .serverError),
        (503, "", .serverError),
        (418, "teapot", .unexpectedResponse),
    ])
    func classifiesEveryDocumentedAnswer(status: Int, body: String, code: DEPError.Code) {
        #expect(classify(status, body).code == code)
        #expect(classify(status, "\"\(body)\"").code == code, "JSON-quoted, as depsim sends")
        #expect(classify(status, "{\"code\":\"\(body)\"}").code == code, "inside a JSON object")
    }

    @Test func sessionAnswersAreOAuthProblems() {
        #expect(classify(400, "oauth_problem=parameter_absent", session: true).code == .oauthBadRequest)
        #expect(classify(401, "oauth_problem=signature_invalid", session: true).code == .oauthUnauthorized)
        #expect(classify(401, "oauth_problem=token_rejected", session: true).code == .tokenRejected)
        #expect(classify(403, "T_C_NOT_SIGNED", session: true).code == .termsNotSigned)
        #expect(classify(403, "FORBIDDEN", session: true).code == .forbidden)
    }

    @Test func statusMattersAsMuchAsTheBody() {
        #expect(classify(200 + 200, "T_C_NOT_SIGNED").code == .unexpectedResponse)
        #expect(classify(401, "T_C_NOT_SIGNED").code == .unauthorized)
    }

    @Test func keepsApplesBodyAndRetryAfterButNeverShowsTheBody() {
        let error = classify(429, "slow down", headers: [("Retry-After", "17")])
        #expect(error.retryAfter == .seconds(17))
        #expect(error.appleBody == "slow down")
        #expect(!error.description.contains("slow down"))
        #expect(error.debugDescription.contains("slow down"))
        let long = classify(500, String(repeating: "x", count: 10_000))
        #expect(long.appleBody?.count == 4096)
    }

    @Test func retryAfterInBothForms() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .seconds(0))
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        let date = RetryAfter.formatHTTPDate(now.addingTimeInterval(90))
        #expect(date.hasSuffix(" GMT"))
        #expect(RetryAfter.parse(date, now: now) == .seconds(90))
        // Measured from Apple's Date header when there is one, whatever the local clock says.
        #expect(RetryAfter.parse(date, now: now.addingTimeInterval(1000), serverDate: now) == .seconds(90))
        #expect(RetryAfter.parse(RetryAfter.formatHTTPDate(now.addingTimeInterval(-50)), now: now) == .seconds(0))
        #expect(RetryAfter.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT")?.timeIntervalSince1970 == 784_111_777)
    }

    @Test func retryPolicyIsBounded() {
        let policy = RetryPolicy(
            maximumAttempts: 5,
            initialBackoff: .seconds(1),
            maximumBackoff: .seconds(5),
            jitter: 0,
            totalDeadline: .seconds(12)
        )
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, elapsed: .zero, random: 0) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, elapsed: .zero, random: 0) == .seconds(4))
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil, elapsed: .zero, random: 0) == .seconds(5))
        #expect(
            policy.delay(afterAttempt: 5, retryAfter: nil, elapsed: .zero, random: 0) == nil,
            "attempts are bounded"
        )
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, elapsed: .seconds(11), random: 0) == nil, "so is time")
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), elapsed: .zero, random: 1) == .seconds(7))
        #expect(RetryPolicy.none.delay(afterAttempt: 1, retryAfter: nil, elapsed: .zero, random: 0) == nil)
        let jittered = RetryPolicy(initialBackoff: .seconds(8), jitter: 0.5)
        #expect(jittered.delay(afterAttempt: 1, retryAfter: nil, elapsed: .zero, random: 1) == .seconds(4))
    }

    @Test func everyCodeIsStableAndTransienceIsRight() {
        let raw = DEPError.Code.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(raw.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
        let transient = DEPError.Code.allCases.filter(\.isTransient).map(\.rawValue).sorted()
        #expect(transient == ["server_error", "throttled", "timeout", "unreachable"])
        #expect(DEPError.Code(rawValue: "terms_not_signed") == .termsNotSigned)
    }

    @Test func proxySettingsFollowTheEnvironment() throws {
        #expect(ProxySettings(environment: [:]) == nil)
        let proxy = try #require(
            ProxySettings(environment: [
                "HTTPS_PROXY": "http://user:p%40ss@proxy.corp:8080", "NO_PROXY": "localhost, .internal.corp,10.0.0.1",
            ])
        )
        #expect(proxy.host == "proxy.corp")
        #expect(proxy.port == 8080)
        #expect(proxy.username == "user" && proxy.password == "p@ss")
        #expect(proxy.applies(to: "mdmenrollment.apple.com"))
        #expect(!proxy.applies(to: "localhost"))
        #expect(!proxy.applies(to: "sim.internal.corp"))
        #expect(!proxy.applies(to: "10.0.0.1"))
        #expect(ProxySettings(environment: ["https_proxy": "proxy:3128"])?.port == 3128)
        #expect(ProxySettings(url: "http://p:1", noProxy: "*")?.applies(to: "anything") == false)
    }
}
