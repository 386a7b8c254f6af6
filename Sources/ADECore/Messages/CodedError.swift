/// An error identified by a stable code, with non-secret parameters for its message: equality, hashing, description
/// and catalogue keys all come from the code, written once.
public protocol CodedError: CataloguedError, Hashable, CustomStringConvertible {
    associatedtype Code: Hashable, CustomStringConvertible
    /// The subsystem part of catalogue keys and descriptions (`store`, `token`).
    static var subsystem: String { get }
    /// The stable code.
    var code: Code { get }
    /// Non-secret values for the message's placeholders.
    var parameters: [String: String] { get }
}

extension CodedError {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(Self.self).\(code)" }
    public var catalogueSubsystem: String { Self.subsystem }
    public var catalogueCode: String { code.description }
    /// The parameters as catalogue arguments; a numeric `count` is a count, so that it chooses the plural form.
    public var catalogueArguments: [String: MessageArgument] { MessageArgument.arguments(parameters) }
}
