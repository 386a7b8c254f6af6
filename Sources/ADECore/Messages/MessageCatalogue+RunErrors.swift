import Foundation
import ServerToken

extension MessageCatalogue {
    /// The subsystems whose codes a sync run records, in the order they are looked up (codes are unique across them
    /// in practice; the first that has the code says it).
    static let runErrorSubsystems = ["dep", "sync", "token", "store", "secret", "server_token"]

    /// What a run's error code means, in a person's words: the catalogued message of the code with the run's
    /// parameters and the token's name. A raw code never reaches a page: when the code is unknown, or its message
    /// needs a value the run did not keep, the general sentence of a failed run stands instead.
    public func runError(
        code: String,
        parameters: [String: String] = [:],
        tokenName: String,
        locale: MessageLocale
    ) -> String {
        var parameters = parameters
        parameters["token"] = tokenName
        parameters["name"] = tokenName
        return errorMessage(code: code, parameters: parameters, subsystems: Self.runErrorSubsystems, locale: locale)
            ?? string(.runErrorOther, locale: locale)
    }

    /// The catalogued message of the first of `subsystems` that has `code`, filled with `parameters`; nil when none
    /// has it or its message needs a value `parameters` lacks.
    public func errorMessage(
        code: String,
        parameters: [String: String],
        subsystems: [String],
        locale: MessageLocale
    ) -> String? {
        // A date kept as RFC 3339 (`expiry`, `until`) reads as a date of the reader's language.
        let language = Locale(identifier: resolve(locale))
        let arguments = MessageArgument.arguments(parameters) { value in
            guard let date = RFC3339Timestamp.parse(value) else { return .string(value) }
            return .string(date.formatted(.dateTime.year().month(.abbreviated).day().locale(language)))
        }
        for subsystem in subsystems {
            let key = MessageKey("error.\(subsystem).\(code).message")
            guard languages[MessageLocale.english.identifier]?[key.rawValue] != nil else { continue }
            let text = string(key, locale: locale, arguments)
            return Self.placeholders(in: text).isEmpty ? text : nil
        }
        return nil
    }
}

extension MessageKey {
    /// The sentence of a failed run whose own error cannot be said.
    public static let runErrorOther: MessageKey = "run.error.other"
}
