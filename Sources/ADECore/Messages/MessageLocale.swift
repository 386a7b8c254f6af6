/// The language a message is written in, as a BCP 47 tag (`en`, `fr`, `pt-BR`).
///
/// Every catalogue lookup names its locale explicitly; there is no process-wide current language.
public struct MessageLocale: Hashable, Sendable, CustomStringConvertible {
    /// The normalised tag: lower-case language, upper-case region (`pt-BR`).
    public let identifier: String

    /// English, the catalogue's reference language and the last fallback.
    public static let english = MessageLocale(normalised: "en")

    private init(normalised identifier: String) {
        self.identifier = identifier
    }

    /// Reads a BCP 47 tag or a POSIX locale name (`pt_BR.UTF-8`, `de_DE@euro`). `C`, `POSIX` and empty names mean
    /// English.
    public init(_ tag: String) {
        let name = tag.prefix { $0 != "." && $0 != "@" }
        let parts = name.split { $0 == "_" || $0 == "-" }
        guard let language = parts.first, language.allSatisfy(\.isLetter), !language.isEmpty,
            language != "C", language != "POSIX"
        else {
            self = .english
            return
        }
        var identifier = language.lowercased()
        if parts.count > 1, parts[1].count == 2, parts[1].allSatisfy(\.isLetter) {
            identifier += "-" + parts[1].uppercased()
        }
        self.identifier = identifier
    }

    /// The language subtag (`pt` for `pt-BR`).
    public var language: String {
        String(identifier.prefix { $0 != "-" })
    }

    /// The tags to try, most specific first: `pt-BR`, `pt`.
    public var fallbacks: [String] {
        identifier == language ? [identifier] : [identifier, language]
    }

    public var description: String { identifier }

    /// The locale of a command-line process: `LC_ALL`, then `LC_MESSAGES`, then `LANG`, as POSIX orders them.
    public static func fromEnvironment(_ environment: [String: String]) -> MessageLocale {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[name], !value.isEmpty {
                return MessageLocale(value)
            }
        }
        return .english
    }
}
