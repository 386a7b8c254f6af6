/// A language file that cannot be used. Raised when the catalogue loads, so a damaged file stops `ade` at start-up
/// (and in tests) instead of showing a person half a sentence.
public struct MessageCatalogueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String {
            case unreadable, invalidJSON = "invalid_json", invalidEntry = "invalid_entry",
                missingEnglish = "missing_english"
        }
        private let backing: Backing
        public var description: String { backing.rawValue }

        /// The directory or a file cannot be read.
        public static let unreadable = Code(backing: .unreadable)
        /// A file is not a JSON object.
        public static let invalidJSON = Code(backing: .invalidJSON)
        /// An entry is neither a string nor a valid set of plural forms.
        public static let invalidEntry = Code(backing: .invalidEntry)
        /// The reference language file, `en.json`, is absent.
        public static let missingEnglish = Code(backing: .missingEnglish)
    }

    /// The code.
    public let code: Code
    /// The file at fault.
    public let file: String
    /// What is wrong with it.
    public let reason: String

    init(_ code: Code, file: String, reason: String) {
        self.code = code
        self.file = file
        self.reason = reason
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { "MessageCatalogueError.\(code): \(file): \(reason)" }
}
