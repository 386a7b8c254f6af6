public import ADECore

/// The server's own errors: bad requests, missing resources, and the one answer for anything unexpected.
public struct ServerError: Error, Sendable, CodedError {
    public static let subsystem = "server"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case `internal`
            case notFound = "not_found"
            case tokenNotFound = "token_not_found"
            case deviceNotFound = "device_not_found"
            case invalidParameter = "invalid_parameter"
            case missingParameter = "missing_parameter"
            case invalidBody = "invalid_body"
            case unknownFields = "unknown_fields"
            case serialsInvalid = "serials_invalid"
            case serialsOrAll = "serials_or_all"
            case serialsUnknown = "serials_unknown"
            case formIncomplete = "form_incomplete"
            case methodNotAllowed = "method_not_allowed"
            case syncTooSoon = "sync_too_soon"
            case syncUnavailable = "sync_unavailable"
            case tlsInvalid = "tls_invalid"
            case tokenUndecryptable = "token_undecryptable"
            case tokenFileTooLarge = "token_file_too_large"
            case simulatorUnavailable = "simulator_unavailable"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// Something unexpected failed; the server's log says what (never the answer).
        public static let `internal` = Code(backing: .internal)
        /// No such page or route (`path`).
        public static let notFound = Code(backing: .notFound)
        /// No token of that name (`name`).
        public static let tokenNotFound = Code(backing: .tokenNotFound)
        /// No device of that serial number in that token (`serial`, `name`).
        public static let deviceNotFound = Code(backing: .deviceNotFound)
        /// A parameter is malformed or out of range (`name`, and `allowed`: the values or range it takes, written as
        /// values, never as English words).
        public static let invalidParameter = Code(backing: .invalidParameter)
        /// A required parameter or field is absent or empty (`name`).
        public static let missingParameter = Code(backing: .missingParameter)
        /// The request body is not JSON of the route's form (`example`: the JSON shape it takes).
        public static let invalidBody = Code(backing: .invalidBody)
        /// The request body has fields the route does not take (`fields`, and `known`: the ones it takes); nothing
        /// was done, so that a misspelt field (`url` for `base_url`) is never silently ignored.
        public static let unknownFields = Code(backing: .unknownFields)
        /// Too few or too many serial numbers (`minimum`, `maximum`).
        public static let serialsInvalid = Code(backing: .serialsInvalid)
        /// Both `serials` and `all: true`, or neither.
        public static let serialsOrAll = Code(backing: .serialsOrAll)
        /// Serial numbers the token has no device for (`name`, `count`, `serials`: the first ten); nothing was done.
        public static let serialsUnknown = Code(backing: .serialsUnknown)
        /// A console form arrived without its fields (an old or altered page).
        public static let formIncomplete = Code(backing: .formIncomplete)
        /// A method no route takes (`method`).
        public static let methodNotAllowed = Code(backing: .methodNotAllowed)
        /// "Sync now" was asked again too soon (`seconds`).
        public static let syncTooSoon = Code(backing: .syncTooSoon)
        /// This server runs no sync engine (`ade serve --no-sync`).
        public static let syncUnavailable = Code(backing: .syncUnavailable)
        /// The server's TLS certificate or key file cannot be loaded (`path`).
        public static let tlsInvalid = Code(backing: .tlsInvalid)
        /// An uploaded `.p7m` could not be decrypted with the token's keys. One code whatever the cause, so that
        /// the answers reveal nothing about the key.
        public static let tokenUndecryptable = Code(backing: .tokenUndecryptable)
        /// An uploaded file larger than any server token (`maximum` bytes).
        public static let tokenFileTooLarge = Code(backing: .tokenFileTooLarge)
        /// The demo panel could not reach the simulator's control API.
        public static let simulatorUnavailable = Code(backing: .simulatorUnavailable)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }
}
