public import ADECore

/// The one error type of sign-in, sessions and API tokens.
public struct AccessError: Error, Sendable, CodedError {
    public static let subsystem = "access"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case unauthenticated
            case invalidAPIToken = "invalid_api_token"
            case readOnlyToken = "read_only_token"
            case csrfRejected = "csrf_rejected"
            case invalidCredentials = "invalid_credentials"
            case tooManyAttempts = "too_many_attempts"
            case passwordTooShort = "password_too_short"
            case passwordTooLong = "password_too_long"
            case passwordsDiffer = "passwords_differ"
            case invalidUserName = "invalid_user_name"
            case setupClosed = "setup_closed"
            case userExists = "user_exists"
            case userNotFound = "user_not_found"
            case apiTokenExists = "api_token_exists"
            case apiTokenNotFound = "api_token_not_found"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// The request carries no valid session or API token.
        public static let unauthenticated = Code(backing: .unauthenticated)
        /// The `Authorization: Bearer` value is no API token of this server (revoked, or mistyped).
        public static let invalidAPIToken = Code(backing: .invalidAPIToken)
        /// A read-scoped API token asked to change something.
        public static let readOnlyToken = Code(backing: .readOnlyToken)
        /// A form or API call from the console without this session's anti-forgery token.
        public static let csrfRejected = Code(backing: .csrfRejected)
        /// Wrong user name or password (never says which).
        public static let invalidCredentials = Code(backing: .invalidCredentials)
        /// Too many failed sign-ins or uploads; `seconds` until the next attempt is allowed.
        public static let tooManyAttempts = Code(backing: .tooManyAttempts)
        /// Shorter than ``PasswordHasher/minimumLength`` (`minimum`).
        public static let passwordTooShort = Code(backing: .passwordTooShort)
        /// Longer than bcrypt's 72 bytes (`maximum`).
        public static let passwordTooLong = Code(backing: .passwordTooLong)
        /// The password and its confirmation differ.
        public static let passwordsDiffer = Code(backing: .passwordsDiffer)
        /// A user or API token name that is empty, too long, or has control characters.
        public static let invalidUserName = Code(backing: .invalidUserName)
        /// The setup link is spent (a user exists) or wrong.
        public static let setupClosed = Code(backing: .setupClosed)
        /// A console user of that name exists (`name`).
        public static let userExists = Code(backing: .userExists)
        /// No console user of that name (`name`).
        public static let userNotFound = Code(backing: .userNotFound)
        /// An API token of that name exists (`name`).
        public static let apiTokenExists = Code(backing: .apiTokenExists)
        /// No API token of that name (`name`).
        public static let apiTokenNotFound = Code(backing: .apiTokenNotFound)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }
}
