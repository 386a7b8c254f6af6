extension String {
    /// Whether the text holds a character a person cannot see or that changes how the text around it reads
    /// (``Unicode/Scalar/isHidden``). Names of tokens, webhooks, alert channels and users refuse them, so that
    /// `Contoso` and `Cont\u{200B}oso`, or a name that displays reversed, cannot pass for another.
    public var hasHiddenCharacters: Bool {
        unicodeScalars.contains(where: \.isHidden)
    }
}

extension Unicode.Scalar {
    /// Control characters, format characters (bidirectional overrides and isolates such as U+202E, zero-width
    /// spaces and joiners, the byte order mark) and line or paragraph separators.
    public var isHidden: Bool {
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
