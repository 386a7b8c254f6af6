extension TokenState {
    /// The state's short name.
    public var titleKey: MessageKey { MessageKey("state.\(rawValue).title") }
    /// What the state means and what it breaks.
    public var causeKey: MessageKey { MessageKey("state.\(rawValue).cause") }
    /// What to do.
    public var remedyKey: MessageKey { MessageKey("state.\(rawValue).remedy") }
}

extension Severity {
    /// The severity's name.
    public var nameKey: MessageKey { MessageKey("severity.\(rawValue)") }
}
