/// The key of a message in the catalogue, e.g. `cli.token.keypair.written`.
///
/// Keys are declared as static constants in `MessageKey+<Feature>.swift` files next to the code that shows them;
/// error messages are keyed by their error's code (see ``CataloguedError``). Tests check that every declared key
/// exists in every language with the same placeholders and plural forms.
public struct MessageKey: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The key as written in the language files.
    public let rawValue: String

    /// Creates a key.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
}
