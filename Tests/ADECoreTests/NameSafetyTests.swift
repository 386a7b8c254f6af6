import Foundation
import Testing

@testable import ADECore

/// Names that could pass for others are refused, and every command `ade` suggests runs as shown when pasted.
struct NameSafetyTests {
    @Test(arguments: [
        "Contoso\u{202E}sdaPi", "Cont\u{200B}oso", "Contoso\u{2066}", "\u{FEFF}Contoso", "Contoso\u{200F}",
        "Contoso\u{2028}iPads", "Contoso\u{0}",
    ])
    func aTokenNameWithHiddenCharactersIsRefused(_ name: String) async throws {
        do {
            try TokenService.checkName(name)
            Issue.record("\(name.unicodeScalars.map { String($0.value, radix: 16) }) was accepted")
        } catch let error as TokenError {
            #expect(error.code == .invalidName)
            #expect(error.parameters["name"]?.hasHiddenCharacters == false, "the message shows no hidden character")
        }
    }

    @Test(arguments: ["Contoso iPads", "it's", "$(reboot)", "a;b", "`x`", "tab\there", "-dash", "*", "~user", "é"])
    func aQuotedWordReadsBackUnchangedInAShell(_ word: String) throws {
        let quoted = ShellWord.quote(word)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' \(quoted)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let read = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(read == word)
    }

    @Test func plainNamesStayBare() {
        #expect(ShellWord.quote("iPads-2026") == "iPads-2026")
        #expect(ShellWord.quote("") == "''")
    }

    @Test func theStepsOfEveryStateQuoteTheName() throws {
        for state in TokenState.allCases {
            for language in MessageCatalogue.bundled.locales {
                let text = TokenHealth(state: state, severity: .error).text(
                    tokenName: "Contoso iPads",
                    locale: language
                )
                for step in text.steps + [text.cause, text.impact] {
                    #expect(!step.contains("ade sync Contoso iPads"), "\(state) \(language.identifier)")
                    #expect(!step.contains(" Contoso iPads FILE"), "\(state) \(language.identifier)")
                    #expect(!step.contains("--token Contoso iPads"), "\(state) \(language.identifier)")
                }
            }
        }
        let expired = TokenHealth(state: .expired, severity: .error).text(tokenName: "Contoso iPads", locale: .english)
        #expect(expired.steps.contains { $0.contains("ade token renew 'Contoso iPads' FILE.p7m") })
        let french = TokenHealth(state: .expired, severity: .error).text(
            tokenName: "Contoso iPads",
            locale: MessageLocale("fr")
        )
        #expect(french.steps.contains { $0.contains("ade token renew 'Contoso iPads' FICHIER.p7m") })
    }
}
