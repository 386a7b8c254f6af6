/// A token's state in a person's language: what the console, the API, `ade doctor` and the alerts show.
public struct HealthText: Sendable, Hashable, Codable {
    public var title: String
    public var cause: String
    public var impact: String
    /// The numbered remediation steps, without their numbers.
    public var steps: [String]
    /// The names of the ADE functions the state breaks.
    public var breaks: [String]
    /// Whether the state ends by itself once its cause is gone.
    public var clearsByItself: Bool

    /// The steps as one text: `1. … 2. …` (the `remedy` field of the API and `ade doctor --format json`).
    public var remedy: String { Self.remedy(steps) }

    /// Steps as one text: `1. … 2. …`.
    public static func remedy(_ steps: [String]) -> String {
        steps.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: " ")
    }
}

extension TokenHealth {
    /// The placeholder values of the state's messages: the token's `name`, `count` days left, and the details (whose
    /// `count` comes first).
    public func arguments(tokenName: String) -> [String: MessageArgument] {
        var arguments: [String: MessageArgument] = ["name": .string(tokenName)]
        if let daysLeft { arguments["count"] = .int(daysLeft) }
        for (name, value) in details { arguments[name] = .int(value) }
        return arguments
    }

    /// The state's catalogue entry written out in a language.
    public func text(tokenName: String, locale: MessageLocale, catalogue: MessageCatalogue = .bundled) -> HealthText {
        let entry = state.entry
        let arguments = arguments(tokenName: tokenName)
        return HealthText(
            title: catalogue.string(entry.titleKey, locale: locale, arguments),
            cause: catalogue.string(entry.causeKey, locale: locale, arguments),
            impact: catalogue.string(entry.impactKey, locale: locale, arguments),
            steps: entry.stepKeys.map { catalogue.string($0, locale: locale, arguments) },
            breaks: entry.breaks.map { catalogue.string($0.nameKey, locale: locale) },
            clearsByItself: entry.clearsByItself
        )
    }
}
