public import Foundation

/// Every sentence `ade` shows a person, in every shipped language.
///
/// Messages live in plain per-language JSON files (`en.json`, `fr.json`, `pt-BR.json` …) that `ade` loads itself.
/// A value is either a string or, for sentences that depend on a number, an object of CLDR plural forms chosen by
/// the argument named `count`:
///
/// ```json
/// {
///   "cli.token.keypair.written": "Wrote {privateKey} and {certificate}.",
///   "cli.token.keypair.validity": { "one": "Valid for {count} day.", "other": "Valid for {count} days." }
/// }
/// ```
///
/// Lookups name their locale on every call. A key missing from a language falls back to the language without its
/// region, then to English; a key missing everywhere comes back as the key itself, so a gap is visible, never fatal.
public struct MessageCatalogue: Sendable {
    /// One entry of a language file.
    public enum Entry: Sendable, Hashable {
        case text(String)
        case plural([PluralCategory: String])
    }

    /// The entries of each language, by BCP 47 tag.
    public let languages: [String: [String: Entry]]

    /// Creates a catalogue from entries already read.
    public init(languages: [String: [String: Entry]]) {
        self.languages = languages
    }

    /// The catalogue shipped with `ade`.
    public static let bundled: MessageCatalogue = {
        guard let directory = Bundle.module.url(forResource: "Messages", withExtension: nil) else {
            fatalError("ade's message catalogue is missing from its resource bundle; reinstall ade")
        }
        do {
            return try load(directory: directory)
        } catch {
            fatalError("ade's message catalogue is damaged: \(error)")
        }
    }()

    /// Loads every `<tag>.json` file of a directory.
    /// - Throws: ``MessageCatalogueError`` naming the file and the entry at fault.
    public static func load(directory: URL) throws -> MessageCatalogue {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
        } catch {
            throw MessageCatalogueError(.unreadable, file: directory.path, reason: "cannot list the directory")
        }
        var languages: [String: [String: Entry]] = [:]
        for file in files {
            let tag = MessageLocale(file.deletingPathExtension().lastPathComponent).identifier
            languages[tag] = try parse(file: file, language: MessageLocale(tag).language)
        }
        guard languages[MessageLocale.english.identifier] != nil else {
            throw MessageCatalogueError(.missingEnglish, file: directory.path, reason: "en.json is required")
        }
        return MessageCatalogue(languages: languages)
    }

    /// The locales the catalogue has files for.
    public var locales: [MessageLocale] {
        languages.keys.sorted().map(MessageLocale.init)
    }

    /// The language tag whose file answers for `locale`: itself, its language, or English.
    public func resolve(_ locale: MessageLocale) -> String {
        locale.fallbacks.first { languages[$0] != nil } ?? MessageLocale.english.identifier
    }

    /// The message for a key in a locale, its placeholders filled.
    /// - Parameters:
    ///   - key: The message's key.
    ///   - locale: The language to write in.
    ///   - arguments: Placeholder values; `count` also selects the plural form.
    public func string(
        _ key: MessageKey,
        locale: MessageLocale,
        _ arguments: [String: MessageArgument] = [:]
    ) -> String {
        // The locale's tag, its language alone, then English; each tag's language is its prefix up to "-".
        let identifier = locale.identifier
        let language = locale.language
        for (tag, tagLanguage) in [(identifier, language), (language, language), ("en", "en")] {
            guard let entry = languages[tag]?[key.rawValue] else { continue }
            return Self.fill(Self.template(entry, language: tagLanguage, arguments), arguments)
        }
        return key.rawValue
    }

    // MARK: - Formatting

    private static func template(_ entry: Entry, language: String, _ arguments: [String: MessageArgument]) -> String {
        switch entry {
        case .text(let text):
            return text
        case .plural(let forms):
            guard case .int(let count) = arguments["count"] else { return forms[.other] ?? "" }
            return forms[PluralCategory.category(of: count, language: language)] ?? forms[.other] ?? ""
        }
    }

    /// The suffix of a placeholder inside a command the reader may paste (`ade sync {name:shell}`): its argument is
    /// quoted for a POSIX shell (``ShellWord``), so that `Contoso iPads` reads `'Contoso iPads'` there and stays as
    /// it is in the sentence around it.
    static let shellSuffix = ":shell"

    /// Replaces `{name}` with its argument and `{name:shell}` with it quoted; unknown placeholders stay as written.
    /// Works on the UTF-8 bytes: the token list fills three sentences per token per request.
    private static func fill(_ template: String, _ arguments: [String: MessageArgument]) -> String {
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        let bytes = template.utf8
        guard var start = bytes.firstIndex(of: open) else { return template }
        var result = String(template[..<start])
        result.reserveCapacity(bytes.count + 32)
        while true {
            guard let end = bytes[start...].firstIndex(of: close) else {
                result += template[start...]
                return result
            }
            let name = String(template[bytes.index(after: start)..<end])
            if let argument = arguments[name] {
                result += argument.text
            } else if name.hasSuffix(Self.shellSuffix),
                let argument = arguments[String(name.dropLast(Self.shellSuffix.count))]
            {
                result += ShellWord.quote(argument.text)
            } else {
                result += template[start...end]
            }
            let next = bytes.index(after: end)
            guard let following = bytes[next...].firstIndex(of: open) else {
                result += template[next...]
                return result
            }
            result += template[next..<following]
            start = following
        }
    }

    /// The placeholder names of a template, for the consistency tests.
    public static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    // MARK: - Loading

    private static func parse(file: URL, language: String) throws -> [String: Entry] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
        } catch {
            throw MessageCatalogueError(.invalidJSON, file: file.lastPathComponent, reason: "not valid JSON")
        }
        guard let table = object as? [String: Any] else {
            throw MessageCatalogueError(.invalidJSON, file: file.lastPathComponent, reason: "not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (key, value) in table {
            if let text = value as? String {
                entries[key] = .text(text)
                continue
            }
            guard let forms = value as? [String: String] else {
                throw MessageCatalogueError(
                    .invalidEntry,
                    file: file.lastPathComponent,
                    reason: "\(key) is neither a string nor an object of plural forms"
                )
            }
            var plural: [PluralCategory: String] = [:]
            for (name, text) in forms {
                guard let category = PluralCategory(rawValue: name),
                    PluralCategory.categories(language: language).contains(category)
                else {
                    throw MessageCatalogueError(
                        .invalidEntry,
                        file: file.lastPathComponent,
                        reason: "\(key) has plural form \(name), which \(language) does not use"
                    )
                }
                plural[category] = text
            }
            guard plural[.other] != nil else {
                throw MessageCatalogueError(
                    .invalidEntry,
                    file: file.lastPathComponent,
                    reason: "\(key) has no 'other' plural form"
                )
            }
            entries[key] = .plural(plural)
        }
        return entries
    }
}
