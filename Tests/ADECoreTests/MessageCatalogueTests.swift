import ADECore
import DEPClient
import Foundation
import ServerToken
import Testing

struct MessageCatalogueTests {
    let catalogue = MessageCatalogue.bundled

    @Test func shipsEnglish() {
        #expect(catalogue.languages["en"] != nil)
        #expect(catalogue.locales.contains(.english))
    }

    @Test func shipsTheSevenLanguages() {
        #expect(catalogue.locales.map(\.identifier) == ["de", "en", "es", "fr", "id", "ja", "pt-BR"])
    }

    /// A message left as in English is a gap, unless it is a name or a word both languages share ("Webhooks",
    /// "Microsoft Teams", "Token"): no sentence of more than two words may be English in another language.
    @Test func noLanguageLeavesASentenceInEnglish() throws {
        let english = try #require(catalogue.languages["en"])
        for (tag, entries) in catalogue.languages where tag != "en" {
            for (key, reference) in english {
                guard case .text(let text) = reference, case .text(let translated)? = entries[key], text == translated
                else { continue }
                let words = text.replacing(/\{[^}]*\}/, with: "").split { !$0.isLetter }.filter { !$0.isEmpty }
                #expect(words.count <= 2, "\(tag) \(key) is still English: \(text)")
            }
        }
    }

    /// Every state's entry, in every language, fills its placeholders: no `{…}` is left for the reader.
    @Test func everyStateReadsCompletelyInEveryLanguage() {
        let health = TokenHealth(
            state: .healthy,
            severity: .ok,
            daysLeft: 12,
            details: ["count": 3, "failures": 4, "percent": 7, "days": 14]
        )
        for locale in catalogue.locales {
            for state in TokenState.allCases {
                var sample = health
                sample.state = state
                let text = sample.text(tokenName: "Campus", locale: locale)
                for line in [text.title, text.cause, text.impact] + text.steps + text.breaks {
                    #expect(!line.contains("{") && !line.hasPrefix("state."), "\(locale) \(state): \(line)")
                }
            }
        }
    }

    @Test func everyLanguageHasEveryKeyWithTheSamePlaceholdersAndItsPluralForms() throws {
        let english = try #require(catalogue.languages["en"])
        for (tag, entries) in catalogue.languages {
            let language = MessageLocale(tag).language
            #expect(Set(entries.keys) == Set(english.keys), "\(tag) has other keys than en")
            for (key, reference) in english {
                guard let entry = entries[key] else { continue }
                #expect(Self.placeholders(entry) == Self.placeholders(reference), "\(tag) \(key) placeholders differ")
                if case .plural(let forms) = entry {
                    #expect(Set(forms.keys) == Set(PluralCategory.categories(language: language)), "\(tag) \(key)")
                }
                if case .plural = reference {
                    guard case .plural = entry else {
                        Issue.record("\(tag) \(key) must have plural forms, as en has")
                        continue
                    }
                }
            }
        }
    }

    @Test func everyErrorCodeHasAMessageAndARemedy() throws {
        let english = try #require(catalogue.languages["en"])
        for code in ServerTokenError.Code.allCases {
            let error = ServerTokenError(code, reason: "")
            #expect(english[error.messageKey.rawValue] != nil, "no message for \(code)")
            #expect(english[error.remedyKey.rawValue] != nil, "no remedy for \(code)")
        }
    }

    /// Every key the sources declare is in the catalogue, and every catalogue entry is used: no sentence is
    /// hard-coded and none is dead.
    @Test func sourcesAndCatalogueAgree() throws {
        let english = try #require(catalogue.languages["en"])
        let declared = try Self.declaredKeys()
        #expect(!declared.isEmpty)
        for key in declared {
            #expect(english[key] != nil, "\(key) is declared in the sources but missing from en.json")
        }
        let errorKeys = english.keys.filter { $0.hasPrefix("error.") }
        let stateKeys =
            TokenState.allCases.flatMap(\.entry.keys).map(\.rawValue)
            + Severity.allCases.map(\.nameKey.rawValue) + ADEFunction.allCases.map(\.nameKey.rawValue)
            + AlertChannelKind.allCases.map(\.nameKey.rawValue) + AuditEntry.Source.allCases.map(\.nameKey.rawValue)
            + DeviceAssignment.Status.allCases.flatMap { [$0.labelKey, $0.explanationKey] }.map(\.rawValue)
        for key in stateKeys {
            #expect(english[key] != nil, "\(key) is missing")
        }
        for key in Set(english.keys).subtracting(declared).subtracting(errorKeys).subtracting(stateKeys) {
            Issue.record("\(key) is in en.json but no source declares it")
        }
        for key in errorKeys {
            #expect(key.hasSuffix(".message") || key.hasSuffix(".remedy"), "\(key)")
        }
    }

    @Test func fallsBackFromRegionToLanguageToEnglish() {
        let catalogue = MessageCatalogue(languages: [
            "en": ["greeting": .text("Hello"), "only.en": .text("English only")],
            "pt": ["greeting": .text("Olá")],
            "pt-BR": ["greeting": .text("Oi")],
        ])
        #expect(catalogue.string("greeting", locale: MessageLocale("pt-BR")) == "Oi")
        #expect(catalogue.string("greeting", locale: MessageLocale("pt-PT")) == "Olá")
        #expect(catalogue.string("only.en", locale: MessageLocale("pt-BR")) == "English only")
        #expect(catalogue.string("greeting", locale: MessageLocale("ja")) == "Hello")
        #expect(catalogue.string("missing.key", locale: .english) == "missing.key")
        #expect(catalogue.resolve(MessageLocale("pt_BR.UTF-8")) == "pt-BR")
        #expect(catalogue.resolve(MessageLocale("de")) == "en")
    }

    @Test func choosesPluralFormsByLanguage() {
        let catalogue = MessageCatalogue(languages: [
            "en": ["days": .plural([.one: "{count} day", .other: "{count} days"])],
            "fr": ["days": .plural([.one: "{count} jour", .many: "{count} de jours", .other: "{count} jours"])],
            "ja": ["days": .plural([.other: "{count}日"])],
        ])
        let days = { (tag: String, count: Int) in
            catalogue.string("days", locale: MessageLocale(tag), ["count": .int(count)])
        }
        #expect(days("en", 0) == "0 days")
        #expect(days("en", 1) == "1 day")
        #expect(days("en", 2) == "2 days")
        #expect(days("fr", 0) == "0 jour")
        #expect(days("fr", 1) == "1 jour")
        #expect(days("fr", 2) == "2 jours")
        #expect(days("fr", 1_000_000) == "1000000 de jours")
        #expect(days("ja", 1) == "1日")
    }

    @Test func pluralRulesFollowCLDR() {
        #expect(PluralCategory.category(of: 1, language: "de") == .one)
        #expect(PluralCategory.category(of: 0, language: "de") == .other)
        #expect(PluralCategory.category(of: 0, language: "pt") == .one)
        #expect(PluralCategory.category(of: 1, language: "es") == .one)
        #expect(PluralCategory.category(of: 0, language: "es") == .other)
        #expect(PluralCategory.category(of: 2_000_000, language: "es") == .many)
        #expect(PluralCategory.category(of: 1, language: "id") == .other)
        #expect(PluralCategory.category(of: -1, language: "en") == .one)
    }

    @Test func fillsPlaceholdersAndKeepsUnknownOnes() {
        let catalogue = MessageCatalogue(languages: ["en": ["k": .text("{a} and {b}, {missing}; {a}")]])
        #expect(catalogue.string("k", locale: .english, ["a": "x", "b": 2]) == "x and 2, {missing}; x")
    }

    @Test func readsLocalesFromPOSIXNamesAndTheEnvironment() {
        #expect(MessageLocale("pt_BR.UTF-8").identifier == "pt-BR")
        #expect(MessageLocale("de_DE@euro").identifier == "de-DE")
        #expect(MessageLocale("FR").identifier == "fr")
        #expect(MessageLocale("C").identifier == "en")
        #expect(MessageLocale("C.UTF-8").identifier == "en")
        #expect(MessageLocale("").identifier == "en")
        #expect(MessageLocale.fromEnvironment(["LANG": "fr_FR.UTF-8", "LC_ALL": "ja_JP.UTF-8"]).identifier == "ja-JP")
        #expect(MessageLocale.fromEnvironment(["LANG": "fr_FR.UTF-8", "LC_MESSAGES": ""]).identifier == "fr-FR")
        #expect(MessageLocale.fromEnvironment([:]) == .english)
    }

    @Test func refusesDamagedLanguageFiles() throws {
        let cases: [(String, String, MessageCatalogueError.Code)] = [
            ("en.json", "not json", .invalidJSON),
            ("en.json", "[1, 2]", .invalidJSON),
            ("en.json", #"{"k": 3}"#, .invalidEntry),
            ("en.json", #"{"k": {"one": "a"}}"#, .invalidEntry),
            ("en.json", #"{"k": {"few": "a", "other": "b"}}"#, .invalidEntry),
            ("ja.json", #"{"k": {"one": "a", "other": "b"}}"#, .invalidEntry),
            ("fr.json", #"{"k": "x"}"#, .missingEnglish),
        ]
        for (name, content, code) in cases {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalogue-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            if name != "en.json" {
                try Data(#"{"k": {"one": "a", "other": "b"}}"#.utf8).write(
                    to: directory.appendingPathComponent("en.json")
                )
                if code == .missingEnglish {
                    try FileManager.default.removeItem(at: directory.appendingPathComponent("en.json"))
                }
            }
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
            #expect(throws: MessageCatalogueError.self, "\(name): \(content)") {
                try MessageCatalogue.load(directory: directory)
            }
            do {
                _ = try MessageCatalogue.load(directory: directory)
            } catch let error as MessageCatalogueError {
                #expect(error.code == code, "\(name): \(content)")
            }
        }
    }

    // MARK: - Helpers

    private static func placeholders(_ entry: MessageCatalogue.Entry) -> Set<String> {
        switch entry {
        case .text(let text): return MessageCatalogue.placeholders(in: text)
        case .plural(let forms):
            return forms.values.reduce(into: Set<String>()) { $0.formUnion(MessageCatalogue.placeholders(in: $1)) }
        }
    }

    /// The keys declared as `static let name: MessageKey = "key"` anywhere under `Sources/`, and those the console's
    /// Mustache templates look up as `{{#t}}key{{/t}}`.
    private static func declaredKeys() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            return []
        }
        let patterns = [
            "swift": try Regex(#"static let \w+: MessageKey = "([a-z0-9_.]+)""#),
            "mustache": try Regex(#"\{\{#t\}\}([a-z0-9_.]+)\{\{/t\}\}"#),
        ]
        var keys: Set<String> = []
        for case let file as URL in files {
            guard let pattern = patterns[file.pathExtension] else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let key = match.output[1].substring { keys.insert(String(key)) }
            }
        }
        return keys
    }
}

extension MessageCatalogueTests {
    @Test func everyDEPErrorCodeHasAMessageAndARemedy() throws {
        let english = try #require(catalogue.languages["en"])
        for code in DEPError.Code.allCases {
            let error = DEPError(code, endpoint: "/account", status: 400)
            #expect(english[error.messageKey.rawValue] != nil, "no message for \(code)")
            #expect(english[error.remedyKey.rawValue] != nil, "no remedy for \(code)")
            let (message, remedy) = catalogue.describe(error, locale: .english)
            #expect(!message.contains("{status}") && !message.contains("{endpoint}"), "\(code): \(message)")
            #expect(!remedy.isEmpty)
        }
    }
}

extension MessageCatalogueTests {
    @Test func everyTokenAndStoreErrorCodeHasAMessageAndARemedy() throws {
        let english = try #require(catalogue.languages["en"])
        let errors: [any CataloguedError] =
            TokenError.Code.allCases.map { TokenError($0) } + StoreError.Code.allCases.map { StoreError($0) }
            + ProfileError.Code.allCases.map { ProfileError($0) } + WebhookError.Code.allCases.map { WebhookError($0) }
        for error in errors {
            #expect(english[error.messageKey.rawValue] != nil, "no message for \(error.catalogueCode)")
            #expect(english[error.remedyKey.rawValue] != nil, "no remedy for \(error.catalogueCode)")
        }
    }
}

extension MessageCatalogueTests {
    @Test func everySyncErrorCodeHasAMessageAndARemedy() throws {
        let english = try #require(catalogue.languages["en"])
        for code in SyncError.Code.allCases {
            let error = SyncError(code)
            #expect(english[error.messageKey.rawValue] != nil && english[error.remedyKey.rawValue] != nil, "\(code)")
        }
    }
}

/// A run's error as a page shows it: its message in the reader's words, dates as that language writes them, and a
/// general sentence rather than a code or a placeholder.
struct RunErrorTextTests {
    @Test func aRunErrorReadsInTheLanguageWithItsDate() {
        let french = MessageCatalogue.bundled.runError(
            code: "token_expired",
            parameters: ["expiry": "2026-12-02T14:38:21Z"],
            tokenName: "Library Carts",
            locale: MessageLocale("fr")
        )
        #expect(french.contains("2026") && french.contains("déc"), "\(french)")
        #expect(!french.contains("T14:38"))
        let unknown = MessageCatalogue.bundled.runError(code: "no_such_code", tokenName: "T", locale: .english)
        #expect(unknown == "The sync failed; the server's log says why.")
        let missing = MessageCatalogue.bundled.runError(code: "server_error", tokenName: "T", locale: .english)
        #expect(!missing.contains("{"), "a message that needs a value the run did not keep falls back")
    }
}
