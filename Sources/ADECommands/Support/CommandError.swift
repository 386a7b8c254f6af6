import ADECore

/// The one error type of `ADECommands`: problems with the files and options a person gave a command.
struct CommandError: Error, Hashable, Sendable, CataloguedError, CustomStringConvertible {
    /// A stable error code.
    struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case fileNotFound = "file_not_found"
            case fileUnreadable = "file_unreadable"
            case fileTooLarge = "file_too_large"
            case fileExists = "file_exists"
            case fileUnwritable = "file_unwritable"
        }
        fileprivate let backing: Backing
        var rawValue: String { backing.rawValue }
        var description: String { backing.rawValue }
        static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        static let fileNotFound = Code(backing: .fileNotFound)
        static let fileUnreadable = Code(backing: .fileUnreadable)
        static let fileTooLarge = Code(backing: .fileTooLarge)
        static let fileExists = Code(backing: .fileExists)
        static let fileUnwritable = Code(backing: .fileUnwritable)
    }

    let code: Code
    let parameters: [String: String]

    init(_ code: Code, path: String, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters.merging(["path": path]) { new, _ in new }
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    func hash(into hasher: inout Hasher) { hasher.combine(code) }

    var description: String { "CommandError.\(code)" }

    var catalogueSubsystem: String { "command" }
    var catalogueCode: String { code.rawValue }
    var catalogueArguments: [String: MessageArgument] { parameters.mapValues(MessageArgument.string) }
}
