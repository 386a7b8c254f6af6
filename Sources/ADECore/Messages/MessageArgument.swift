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

extension MessageArgument {
    /// The arguments of string parameters (an error's, a run's): each a text made by `text`, and a numeric `count` a
    /// count, so that it chooses the plural form.
    public static func arguments(
        _ parameters: [String: String],
        text: (String) -> MessageArgument = { .string($0) }
    ) -> [String: MessageArgument] {
        var arguments = parameters.mapValues(text)
        if let count = parameters["count"].flatMap({ Int($0) }) { arguments["count"] = .int(count) }
        return arguments
    }
}
