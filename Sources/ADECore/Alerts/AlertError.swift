/// The one error type of alert channel configuration: a name, URL, address or language that cannot make a channel,
/// or a channel that is not there (or is already).
public struct AlertError: Error, Sendable, CodedError {
    public static let subsystem = "alert"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case nameRequired = "name_required"
            case nameInvalid = "name_invalid"
            case kindInvalid = "kind_invalid"
            case urlInvalid = "url_invalid"
            case addressInvalid = "address_invalid"
            case recipientRequired = "recipient_required"
            case languageUnsupported = "language_unsupported"
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
        /// Not a kind of channel (`kind`, `kinds`).
        public static let kindInvalid = Code(backing: .kindInvalid)
        /// Not a URL the channel's kind can send to (`url`, masked; `expected`: the schemes it takes).
        public static let urlInvalid = Code(backing: .urlInvalid)
        /// Not an e-mail address (`address`).
        public static let addressInvalid = Code(backing: .addressInvalid)
        /// An e-mail channel without a sender or a recipient.
        public static let recipientRequired = Code(backing: .recipientRequired)
        /// A language `ade` has no messages in (`language`, `languages`).
        public static let languageUnsupported = Code(backing: .languageUnsupported)
        /// No channel of that name (`name`).
        public static let notFound = Code(backing: .notFound)
        /// A channel or webhook of that name exists already (`name`).
        public static let exists = Code(backing: .exists)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }
}
