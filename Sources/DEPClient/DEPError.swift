/// The one error type of `DEPClient`: every way a call to Apple's device enrollment service can fail, classified
/// into a stable ``code``.
///
/// Apple's raw answer is kept in ``appleBody`` for detail views; it is never the whole story shown to a person
/// (the message catalogue keys on ``code``). ``description`` holds the code, the HTTP status and the endpoint only.
public struct DEPError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable error code. Its ``rawValue`` never changes once released.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            // Cursors (§1.4).
            case cursorExhausted = "cursor_exhausted"
            case cursorExpired = "cursor_expired"
            case cursorInvalid = "cursor_invalid"
            case cursorRequired = "cursor_required"
            // Authentication and authorisation.
            case termsNotSigned = "terms_not_signed"
            case accessDenied = "access_denied"
            case forbidden
            case tokenRejected = "token_rejected"
            case tokenExpired = "token_expired"
            case signatureInvalid = "signature_invalid"
            case oauthUnauthorized = "oauth_unauthorized"
            case oauthBadRequest = "oauth_bad_request"
            case unauthorized
            case clockSkew = "clock_skew"
            // Requests.
            case malformedRequest = "malformed_request"
            case userAgentMissing = "user_agent_missing"
            case userAgentInvalid = "user_agent_invalid"
            case methodNotAllowed = "method_not_allowed"
            case deviceIDRequired = "device_id_required"
            case deviceNotFound = "device_not_found"
            // Profiles.
            case profileNameRequired = "profile_name_required"
            case profileNameInvalid = "profile_name_invalid"
            case profileURLRequired = "profile_url_required"
            case profileURLInvalid = "profile_url_invalid"
            case departmentInvalid = "department_invalid"
            case magicInvalid = "magic_invalid"
            case supportEmailInvalid = "support_email_invalid"
            case supportPhoneInvalid = "support_phone_invalid"
            case descriptionInvalid = "description_invalid"
            case flagsInvalid = "flags_invalid"
            case localeInvalid = "locale_invalid"
            case profileUUIDRequired = "profile_uuid_required"
            case profileNotFound = "profile_not_found"
            case notFound = "not_found"
            // Beta, account-driven enrollment, organisation.
            case appleSeedTurnedOff = "apple_seed_turned_off"
            case serviceDiscoveryURLRequired = "service_discovery_url_required"
            case serviceDiscoveryURLInvalid = "service_discovery_url_invalid"
            case orgNotSupported = "org_not_supported"
            // Transient.
            case throttled
            case serverError = "server_error"
            case unreachable
            case timeout
            // Anything else.
            case unexpectedResponse = "unexpected_response"
            case invalidResponse = "invalid_response"
            case invalidRequest = "invalid_request"
        }

        fileprivate let backing: Backing

        /// The code as written in logs, JSON and catalogue keys, e.g. `terms_not_signed`.
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// Reads a code from its raw value.
        public init?(rawValue: String) {
            guard let backing = Backing(rawValue: rawValue) else { return nil }
            self.backing = backing
        }

        fileprivate init(backing: Backing) { self.backing = backing }

        /// 400 `EXHAUSTED_CURSOR`: fetch has returned every device; switch to sync. Harmless.
        public static let cursorExhausted = Code(backing: .cursorExhausted)
        /// 400 `EXPIRED_CURSOR`: the cursor is older than Apple keeps them (7 days); fetch again from scratch.
        public static let cursorExpired = Code(backing: .cursorExpired)
        /// 400 `INVALID_CURSOR`: Apple does not know the cursor; fetch again from scratch.
        public static let cursorInvalid = Code(backing: .cursorInvalid)
        /// 400 `CURSOR_REQUIRED`: sync was called without a cursor.
        public static let cursorRequired = Code(backing: .cursorRequired)
        /// 403 `T_C_NOT_SIGNED`: new terms and conditions must be accepted in ABM/ASM.
        public static let termsNotSigned = Code(backing: .termsNotSigned)
        /// 403 `ACCESS_DENIED`: this MDM server may not perform the request.
        public static let accessDenied = Code(backing: .accessDenied)
        /// 403 `FORBIDDEN` that survived a re-authentication: the token is invalid (e.g. its ABM account was removed).
        public static let forbidden = Code(backing: .forbidden)
        /// 401/403 `token_rejected`: the token was revoked or superseded by a newer download in ABM.
        public static let tokenRejected = Code(backing: .tokenRejected)
        /// Apple rejected the token and its `access_token_expiry` has passed.
        public static let tokenExpired = Code(backing: .tokenExpired)
        /// 403 `signature_invalid`: the token was superseded or revoked (same cause as ``tokenRejected``).
        public static let signatureInvalid = Code(backing: .signatureInvalid)
        /// 401 from `/session` without a more specific reason: the OAuth credentials were not accepted.
        public static let oauthUnauthorized = Code(backing: .oauthUnauthorized)
        /// 400 from `/session`: an OAuth parameter is missing, duplicated or unsupported.
        public static let oauthBadRequest = Code(backing: .oauthBadRequest)
        /// 401 `UNAUTHORIZED` that survived a re-authentication.
        public static let unauthorized = Code(backing: .unauthorized)
        /// The local clock differs from Apple's by more than the OAuth window, so Apple refuses the signature.
        public static let clockSkew = Code(backing: .clockSkew)
        /// 400 `MALFORMED_REQUEST_BODY`.
        public static let malformedRequest = Code(backing: .malformedRequest)
        /// 400 `USER_AGENT_MISSING`.
        public static let userAgentMissing = Code(backing: .userAgentMissing)
        /// 400 `USER_AGENT_INVALID`.
        public static let userAgentInvalid = Code(backing: .userAgentInvalid)
        /// 405: the endpoint does not take this HTTP method.
        public static let methodNotAllowed = Code(backing: .methodNotAllowed)
        /// 400 `DEVICE_ID_REQUIRED`.
        public static let deviceIDRequired = Code(backing: .deviceIDRequired)
        /// 404 `DEVICE_NOT_FOUND`.
        public static let deviceNotFound = Code(backing: .deviceNotFound)
        /// 400 `CONFIG_NAME_REQUIRED`.
        public static let profileNameRequired = Code(backing: .profileNameRequired)
        /// 400 `CONFIG_NAME_INVALID`.
        public static let profileNameInvalid = Code(backing: .profileNameInvalid)
        /// 400 `CONFIG_URL_REQUIRED`.
        public static let profileURLRequired = Code(backing: .profileURLRequired)
        /// 400 `CONFIG_URL_INVALID`.
        public static let profileURLInvalid = Code(backing: .profileURLInvalid)
        /// 400 `DEPARTMENT_INVALID`.
        public static let departmentInvalid = Code(backing: .departmentInvalid)
        /// 400 `MAGIC_INVALID`.
        public static let magicInvalid = Code(backing: .magicInvalid)
        /// 400 `SUPPORT_EMAIL_INVALID`.
        public static let supportEmailInvalid = Code(backing: .supportEmailInvalid)
        /// 400 `SUPPORT_PHONE_INVALID`.
        public static let supportPhoneInvalid = Code(backing: .supportPhoneInvalid)
        /// 400 `DESCRIPTION_INVALID`.
        public static let descriptionInvalid = Code(backing: .descriptionInvalid)
        /// 400 `FLAGS_INVALID`: `is_mdm_removable` false without `is_supervised`.
        public static let flagsInvalid = Code(backing: .flagsInvalid)
        /// 400 `LOCALE_INVALID`.
        public static let localeInvalid = Code(backing: .localeInvalid)
        /// 400 `PROFILE_UUID_REQUIRED`.
        public static let profileUUIDRequired = Code(backing: .profileUUIDRequired)
        /// 404 (or 400) `PROFILE_NOT_FOUND`.
        public static let profileNotFound = Code(backing: .profileNotFound)
        /// 404 `NOT_FOUND`.
        public static let notFound = Code(backing: .notFound)
        /// 403 `APPLE_SEED_FOR_IT_TURNED_OFF`.
        public static let appleSeedTurnedOff = Code(backing: .appleSeedTurnedOff)
        /// 400 `MDM_SERVICE_DISCOVERY_URL_REQUIRED`.
        public static let serviceDiscoveryURLRequired = Code(backing: .serviceDiscoveryURLRequired)
        /// 400 `MDM_SERVICE_DISCOVERY_URL_NOT_VALID`.
        public static let serviceDiscoveryURLInvalid = Code(backing: .serviceDiscoveryURLInvalid)
        /// `ORG_NOT_SUPPORTED`: the organisation's type does not support the request.
        public static let orgNotSupported = Code(backing: .orgNotSupported)
        /// 429: Apple asks the client to slow down.
        public static let throttled = Code(backing: .throttled)
        /// 5xx: Apple's service failed.
        public static let serverError = Code(backing: .serverError)
        /// No HTTP answer: DNS, TCP, TLS or the proxy failed (``DEPError/parameters`` `stage`). A local problem.
        public static let unreachable = Code(backing: .unreachable)
        /// Apple did not answer in time.
        public static let timeout = Code(backing: .timeout)
        /// An HTTP status and body that match nothing Apple documents.
        public static let unexpectedResponse = Code(backing: .unexpectedResponse)
        /// A 2xx answer whose body is not the JSON the endpoint returns.
        public static let invalidResponse = Code(backing: .invalidResponse)
        /// The request was refused before sending (too many serials, an empty list …).
        public static let invalidRequest = Code(backing: .invalidRequest)

        /// Whether waiting and trying again may succeed: throttling, 5xx, transport failures and timeouts.
        public var isTransient: Bool {
            switch backing {
            case .throttled, .serverError, .unreachable, .timeout: return true
            default: return false
            }
        }
    }

    /// The stable code.
    public let code: Code
    /// The endpoint path (`/server/devices`).
    public let endpoint: String
    /// The HTTP status, when Apple answered.
    public let status: Int?
    /// Apple's body, at most 4 KiB, for detail views; never shown alone.
    public let appleBody: String?
    /// How long Apple asked the client to wait (`Retry-After`), when it did.
    public let retryAfter: Duration?
    /// Non-secret values for messages: `stage` of ``Code/unreachable``, `skewSeconds` of ``Code/clockSkew`` …
    public let parameters: [String: String]
    /// A developer note; never holds a credential.
    public let reason: String

    /// Creates an error.
    public init(
        _ code: Code,
        endpoint: String,
        status: Int? = nil,
        appleBody: String? = nil,
        retryAfter: Duration? = nil,
        parameters: [String: String] = [:],
        reason: String = ""
    ) {
        self.code = code
        self.endpoint = endpoint
        self.status = status
        self.appleBody = appleBody.map { String($0.prefix(4096)) }
        self.retryAfter = retryAfter
        self.parameters = parameters
        self.reason = reason
    }

    /// A copy with another code, keeping everything Apple said.
    public func with(code: Code, parameters extra: [String: String] = [:]) -> DEPError {
        DEPError(
            code,
            endpoint: endpoint,
            status: status,
            appleBody: appleBody,
            retryAfter: retryAfter,
            parameters: parameters.merging(extra) { _, new in new },
            reason: reason
        )
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        "DEPError.\(code)" + (status.map { " (HTTP \($0))" } ?? "") + " on \(endpoint)"
    }

    public var debugDescription: String {
        var text = description
        if !reason.isEmpty { text += ": \(reason)" }
        if let appleBody, !appleBody.isEmpty { text += " body=\(appleBody.debugDescription)" }
        if let retryAfter { text += " retryAfter=\(retryAfter)" }
        return text
    }
}

extension DEPError.Code {
    /// Lets `catch DEPError.Code.cursorExhausted` match a thrown ``DEPError``.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? DEPError)?.code == code
    }
}
