/// The one error type of the token life cycle: what `ade` refuses about a token, and why.
public struct TokenError: Error, Sendable, CodedError {
    public static let subsystem = "token"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case invalidName = "invalid_name"
            case customURLNotAllowed = "custom_url_not_allowed"
            case differentServer = "different_server"
            case serverAlreadyHeld = "server_already_held"
            case notUploaded = "not_uploaded"
            case alreadyExpired = "already_expired"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// A token name that is empty, too long, or holds control characters (`name`).
        public static let invalidName = Code(backing: .invalidName)
        /// A base URL other than Apple's while custom URLs are not allowed (`url`).
        public static let customURLNotAllowed = Code(backing: .customURLNotAllowed)
        /// The uploaded token belongs to another MDM server than the token's (`token`, `currentServer`,
        /// `newServer`).
        public static let differentServer = Code(backing: .differentServer)
        /// Another token already holds the uploaded token's MDM server (`token`, `otherToken`).
        public static let serverAlreadyHeld = Code(backing: .serverAlreadyHeld)
        /// The token has no uploaded server token yet (`token`).
        public static let notUploaded = Code(backing: .notUploaded)
        /// The uploaded server token's own expiry date has passed (`token`, `expiry`): nothing is stored.
        public static let alreadyExpired = Code(backing: .alreadyExpired)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

}
