/// Faults injected into one MDM server's answers, set at run time through the control API or from the
/// configuration file. Every field is optional in JSON; rates are probabilities in `0...1`.
public struct SimulatedFaults: Codable, Hashable, Sendable {
    /// 429 answers with `Retry-After`.
    public struct Throttle: Codable, Hashable, Sendable {
        /// Share of requests throttled.
        public var rate: Double
        /// `Retry-After` in seconds; `nil` sends none.
        public var retryAfterSeconds: Int?
        /// Send `Retry-After` as an HTTP-date instead of seconds.
        public var retryAfterAsDate: Bool

        public init(rate: Double = 1, retryAfterSeconds: Int? = 30, retryAfterAsDate: Bool = false) {
            self.rate = rate
            self.retryAfterSeconds = retryAfterSeconds
            self.retryAfterAsDate = retryAfterAsDate
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rate = try container.decodeIfPresent(Double.self, forKey: .rate) ?? 1
            retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
            retryAfterAsDate = try container.decodeIfPresent(Bool.self, forKey: .retryAfterAsDate) ?? false
        }
    }

    /// Refuse the token as past its expiry (`token_rejected`), whatever the clock says.
    public var tokenExpired: Bool
    /// Refuse the token as revoked or superseded (`token_rejected`).
    public var tokenRevoked: Bool
    /// Answer `T_C_NOT_SIGNED` on every call, as when the organisation has new terms to accept.
    public var termsNotAccepted: Bool
    /// Answer 403 `ACCESS_DENIED` on `/session`.
    public var accessDenied: Bool
    /// Answer 403 `FORBIDDEN` on every call (the ABM account that downloaded the token was removed).
    public var forbidden: Bool
    /// Answer 403 `FORBIDDEN`, not 401, to a session token the service does not know, as depsim did after a restart.
    public var unknownSessionForbidden: Bool
    /// Throttle with 429.
    public var throttle: Throttle?
    /// Share of requests answered with ``serverErrorStatus``.
    public var serverErrorRate: Double
    /// The 5xx status sent (503 by default).
    public var serverErrorStatus: Int
    /// `Retry-After` seconds sent with 5xx answers, if any.
    public var serverErrorRetryAfterSeconds: Int?
    /// Added to every answer, in milliseconds.
    public var latencyMilliseconds: Int
    /// Share of requests whose connection is cut in the middle of the answer.
    public var connectionResetRate: Double
    /// Fetch and sync return the cursor they were sent, with `more_to_follow: true` (Apple's same-cursor bug).
    public var sameCursorBug: Bool
    /// Share of devices an assignment answers `THROTTLED`.
    public var assignThrottleRate: Double
    /// `retry_after_seconds` of throttled assignments.
    public var assignRetryAfterSeconds: Int
    /// Share of devices an assignment answers `FAILED`.
    public var assignFailureRate: Double
    /// Serials whose assignments always answer `FAILED`.
    public var failingSerials: [String]

    /// No faults.
    public init() {
        tokenExpired = false
        tokenRevoked = false
        termsNotAccepted = false
        accessDenied = false
        forbidden = false
        unknownSessionForbidden = false
        throttle = nil
        serverErrorRate = 0
        serverErrorStatus = 503
        serverErrorRetryAfterSeconds = nil
        latencyMilliseconds = 0
        connectionResetRate = 0
        sameCursorBug = false
        assignThrottleRate = 0
        assignRetryAfterSeconds = 60
        assignFailureRate = 0
        failingSerials = []
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tokenExpired = try container.decodeIfPresent(Bool.self, forKey: .tokenExpired) ?? tokenExpired
        tokenRevoked = try container.decodeIfPresent(Bool.self, forKey: .tokenRevoked) ?? tokenRevoked
        termsNotAccepted = try container.decodeIfPresent(Bool.self, forKey: .termsNotAccepted) ?? termsNotAccepted
        accessDenied = try container.decodeIfPresent(Bool.self, forKey: .accessDenied) ?? accessDenied
        forbidden = try container.decodeIfPresent(Bool.self, forKey: .forbidden) ?? forbidden
        unknownSessionForbidden =
            try container.decodeIfPresent(Bool.self, forKey: .unknownSessionForbidden) ?? unknownSessionForbidden
        throttle = try container.decodeIfPresent(Throttle.self, forKey: .throttle)
        serverErrorRate = try container.decodeIfPresent(Double.self, forKey: .serverErrorRate) ?? serverErrorRate
        serverErrorStatus = try container.decodeIfPresent(Int.self, forKey: .serverErrorStatus) ?? serverErrorStatus
        serverErrorRetryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .serverErrorRetryAfterSeconds)
        latencyMilliseconds =
            try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? latencyMilliseconds
        connectionResetRate =
            try container.decodeIfPresent(Double.self, forKey: .connectionResetRate) ?? connectionResetRate
        sameCursorBug = try container.decodeIfPresent(Bool.self, forKey: .sameCursorBug) ?? sameCursorBug
        assignThrottleRate =
            try container.decodeIfPresent(Double.self, forKey: .assignThrottleRate) ?? assignThrottleRate
        assignRetryAfterSeconds =
            try container.decodeIfPresent(Int.self, forKey: .assignRetryAfterSeconds) ?? assignRetryAfterSeconds
        assignFailureRate = try container.decodeIfPresent(Double.self, forKey: .assignFailureRate) ?? assignFailureRate
        failingSerials = try container.decodeIfPresent([String].self, forKey: .failingSerials) ?? failingSerials
    }
}
