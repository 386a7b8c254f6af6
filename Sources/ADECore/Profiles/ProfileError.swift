/// The one error type of enrollment profiles: a field Apple would refuse (found before anything is sent, or answered
/// by Apple), or a profile that is not there.
public struct ProfileError: Error, Sendable, CodedError {
    public static let subsystem = "profile"

    /// A stable error code. The field codes name what Apple checks; Apple's own `*_INVALID` answers map to them.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case nameRequired = "name_required"
            case nameTooLong = "name_too_long"
            case urlRequired = "url_required"
            case urlInvalid = "url_invalid"
            case departmentInvalid = "department_invalid"
            case orgMagicTooLong = "org_magic_too_long"
            case supportEmailInvalid = "support_email_invalid"
            case supportPhoneInvalid = "support_phone_invalid"
            case removableNeedsSupervision = "removable_needs_supervision"
            case languageInvalid = "language_invalid"
            case regionInvalid = "region_invalid"
            case certificateInvalid = "certificate_invalid"
            case skipItemInvalid = "skip_item_invalid"
            case notFound = "not_found"
            case exists
            case notDefined = "not_defined"
            case familyInvalid = "family_invalid"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// `profile_name` missing or empty.
        public static let nameRequired = Code(backing: .nameRequired)
        /// `profile_name` over 125 characters (`length`).
        public static let nameTooLong = Code(backing: .nameTooLong)
        /// `url` missing or empty.
        public static let urlRequired = Code(backing: .urlRequired)
        /// `url` or `configuration_web_url` (`field`) not an http(s) URL of at most 2000 characters.
        public static let urlInvalid = Code(backing: .urlInvalid)
        /// `department` empty or over 125 characters.
        public static let departmentInvalid = Code(backing: .departmentInvalid)
        /// `org_magic` over 256 characters.
        public static let orgMagicTooLong = Code(backing: .orgMagicTooLong)
        /// `support_email_address` empty, over 250 characters or not an address.
        public static let supportEmailInvalid = Code(backing: .supportEmailInvalid)
        /// `support_phone_number` empty or over 50 characters.
        public static let supportPhoneInvalid = Code(backing: .supportPhoneInvalid)
        /// `is_mdm_removable` false without `is_supervised` true.
        public static let removableNeedsSupervision = Code(backing: .removableNeedsSupervision)
        /// `language` not an ISO 639 code (`value`).
        public static let languageInvalid = Code(backing: .languageInvalid)
        /// `region` not an ISO 3166 alpha-2 code (`value`).
        public static let regionInvalid = Code(backing: .regionInvalid)
        /// An entry of `anchor_certs` or `supervising_host_certs` (`field`, `index`) that is not a base64 DER
        /// certificate.
        public static let certificateInvalid = Code(backing: .certificateInvalid)
        /// An empty entry of `skip_setup_items` (`index`).
        public static let skipItemInvalid = Code(backing: .skipItemInvalid)
        /// No profile of that name for the token (`token`, `name`).
        public static let notFound = Code(backing: .notFound)
        /// The token has a profile of that name already (`token`, `name`).
        public static let exists = Code(backing: .exists)
        /// The profile is not defined at Apple yet (`name`).
        public static let notDefined = Code(backing: .notDefined)
        /// A device family other than iPhone, iPad, Mac, AppleTV and Vision (`value`).
        public static let familyInvalid = Code(backing: .familyInvalid)
    }

    public let code: Code
    public let parameters: [String: String]
    /// The other problems found with the same profile, after this one: a request hears of every bad field at once.
    public var others: [ProfileError] = []

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }
}
