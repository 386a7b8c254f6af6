/// A value substituted into a message's `{placeholder}`.
public enum MessageArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringInterpolation
{
    /// Text, inserted as is.
    case string(String)
    /// A count: inserted in digits, and, under the name `count`, it selects a plural form.
    case int(Int)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    /// The text inserted for the placeholder.
    var text: String {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        }
    }
}
