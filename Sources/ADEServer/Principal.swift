public import ADECore

/// Who a request acts for: a signed-in console user, or an API token.
public enum Principal: Sendable, Hashable {
    case user(ConsoleUser, session: ConsoleSession)
    case apiToken(APIToken)

    /// Whether the principal may change things (console users may; API tokens with the `write` scope).
    public var canWrite: Bool {
        switch self {
        case .user: true
        case .apiToken(let token): token.scope == .write
        }
    }

    /// A name for logs and the audit trail (never a secret).
    public var displayName: String {
        switch self {
        case .user(let user, _): "user:\(user.name)"
        case .apiToken(let token): "api-token:\(token.name)"
        }
    }
}
