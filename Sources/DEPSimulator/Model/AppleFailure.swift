/// An error answer of the simulated service: a status and Apple's body code.
struct AppleFailure: Error, Sendable {
    var status: Int
    /// Apple's code (`EXPIRED_CURSOR`), or an OAuth problem report (`oauth_problem=token_rejected`).
    var code: String
    /// A `Retry-After` header value, if any.
    var retryAfter: String?

    init(_ status: Int, _ code: String, retryAfter: String? = nil) {
        self.status = status
        self.code = code
        self.retryAfter = retryAfter
    }

    /// An OAuth problem report of `/session` (RFC 5849 problem reporting; always plain text).
    static func oauth(_ status: Int, _ problem: String) -> AppleFailure {
        AppleFailure(status, "oauth_problem=\(problem)")
    }
}
