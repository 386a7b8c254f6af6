/// An error whose message and remedy are catalogue entries, keyed by a stable code.
///
/// The keys are `error.<subsystem>.<code>.message` and `error.<subsystem>.<code>.remedy`; the arguments fill their
/// placeholders and never hold a secret.
public protocol CataloguedError: Error {
    /// The subsystem part of the key (`server_token`, `command`).
    var catalogueSubsystem: String { get }
    /// The stable code (`no_matching_recipient`).
    var catalogueCode: String { get }
    /// Values for the placeholders.
    var catalogueArguments: [String: MessageArgument] { get }
}

extension CataloguedError {
    /// The key of the sentence that says what went wrong.
    public var messageKey: MessageKey { MessageKey("error.\(catalogueSubsystem).\(catalogueCode).message") }
    /// The key of the sentence that says what to do.
    public var remedyKey: MessageKey { MessageKey("error.\(catalogueSubsystem).\(catalogueCode).remedy") }
}

extension MessageCatalogue {
    /// What went wrong and what to do, in one locale.
    public func describe(_ error: some CataloguedError, locale: MessageLocale) -> (message: String, remedy: String) {
        (
            string(error.messageKey, locale: locale, error.catalogueArguments),
            string(error.remedyKey, locale: locale, error.catalogueArguments)
        )
    }
}
