public import Foundation

extension DEPError {
    /// The body codes Apple sends, matched by substring together with the status (plain, JSON-quoted or inside a
    /// JSON object). Longer codes come before codes they contain.
    private static let bodyCodes: [(status: Set<Int>, text: String, caseSensitive: Bool, code: Code)] = [
        ([400], "EXHAUSTED_CURSOR", true, .cursorExhausted),
        ([400], "EXPIRED_CURSOR", true, .cursorExpired),
        ([400], "INVALID_CURSOR", true, .cursorInvalid),
        ([400], "CURSOR_REQUIRED", true, .cursorRequired),
        ([400], "MALFORMED_REQUEST_BODY", true, .malformedRequest),
        ([400], "USER_AGENT_MISSING", true, .userAgentMissing),
        ([400], "USER_AGENT_INVALID", true, .userAgentInvalid),
        ([400], "DEVICE_ID_REQUIRED", true, .deviceIDRequired),
        ([400], "CONFIG_NAME_REQUIRED", true, .profileNameRequired),
        ([400], "CONFIG_NAME_INVALID", true, .profileNameInvalid),
        ([400], "CONFIG_URL_REQUIRED", true, .profileURLRequired),
        ([400], "CONFIG_URL_INVALID", true, .profileURLInvalid),
        ([400], "DEPARTMENT_INVALID", true, .departmentInvalid),
        ([400], "MAGIC_INVALID", true, .magicInvalid),
        ([400], "SUPPORT_EMAIL_INVALID", true, .supportEmailInvalid),
        ([400], "SUPPORT_PHONE_INVALID", true, .supportPhoneInvalid),
        ([400], "DESCRIPTION_INVALID", true, .descriptionInvalid),
        ([400], "FLAGS_INVALID", true, .flagsInvalid),
        ([400], "LOCALE_INVALID", true, .localeInvalid),
        ([400], "PROFILE_UUID_REQUIRED", true, .profileUUIDRequired),
        ([400], "MDM_SERVICE_DISCOVERY_URL_REQUIRED", true, .serviceDiscoveryURLRequired),
        ([400], "MDM_SERVICE_DISCOVERY_URL_NOT_VALID", true, .serviceDiscoveryURLInvalid),
        ([400, 403], "ORG_NOT_SUPPORTED", true, .orgNotSupported),
        ([400, 404], "PROFILE_NOT_FOUND", true, .profileNotFound),
        ([404], "DEVICE_NOT_FOUND", true, .deviceNotFound),
        ([404], "NOT_FOUND", true, .notFound),
        ([401, 403], "token_rejected", false, .tokenRejected),
        ([403], "signature_invalid", false, .signatureInvalid),
        ([403], "T_C_NOT_SIGNED", true, .termsNotSigned),
        ([403], "ACCESS_DENIED", true, .accessDenied),
        ([403], "APPLE_SEED_FOR_IT_TURNED_OFF", true, .appleSeedTurnedOff),
        ([403], "FORBIDDEN", true, .forbidden),
        ([401], "UNAUTHORIZED", true, .unauthorized),
    ]

    /// Classifies a non-2xx answer of Apple's service.
    /// - Parameters:
    ///   - response: Apple's answer.
    ///   - endpoint: The endpoint path.
    ///   - isSession: Whether the request was `GET /session`, where a bare 400 or 401 is an OAuth problem.
    ///   - now: The local time, to read an HTTP-date `Retry-After`.
    public static func classify(_ response: DEPHTTPResponse, endpoint: String, isSession: Bool, now: Date) -> DEPError {
        let body = response.text
        let status = response.status
        let retryAfter = response.header("Retry-After").flatMap {
            RetryAfter.parse($0, now: now, serverDate: response.header("Date").flatMap(RetryAfter.parseHTTPDate))
        }
        let code: Code
        if let match = bodyCodes.first(where: { entry in
            entry.status.contains(status)
                && (entry.caseSensitive
                    ? body.contains(entry.text) : body.range(of: entry.text, options: .caseInsensitive) != nil)
        }) {
            code = match.code
        } else {
            switch status {
            case 400: code = isSession ? .oauthBadRequest : .unexpectedResponse
            case 401: code = isSession ? .oauthUnauthorized : .unauthorized
            case 404: code = .notFound
            case 405: code = .methodNotAllowed
            case 429: code = .throttled
            case 500...599: code = .serverError
            default: code = .unexpectedResponse
            }
        }
        return DEPError(
            code,
            endpoint: endpoint,
            status: status,
            appleBody: body,
            retryAfter: retryAfter,
            reason: "Apple answered \(status)"
        )
    }
}
