/// The one error type of webhook configuration: a name or URL that cannot be a webhook, or a webhook that is not
/// there (or is already).
public struct WebhookError: Error, Sendable, CodedError {
    public static let subsystem = "webhook"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case nameRequired = "name_required"
            case nameInvalid = "name_invalid"
            case urlInvalid = "url_invalid"
            case notFound = "not_found"
            case exists
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// No name, or only spaces.
        public static let nameRequired = Code(backing: .nameRequired)
        /// A name over 64 characters, or with a slash or a control character (`name`).
        public static let nameInvalid = Code(backing: .nameInvalid)
        /// Not an http:// or https:// URL with a host (`url`, masked).
        public static let urlInvalid = Code(backing: .urlInvalid)
        /// No webhook of that name (`name`).
        public static let notFound = Code(backing: .notFound)
        /// A webhook of that name exists already (`name`).
        public static let exists = Code(backing: .exists)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }
}
