import ADECore
import ADETesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// The console in French and Indonesian: every page written from that language's catalogue, no key shown raw and
/// no English sentence left; the language follows `Accept-Language`, and the picker's cookie overrides it.
@Suite(.timeLimit(.minutes(2)))
struct ConsoleLanguageTests {
    static let pages = [
        "/", "/tokens/Rejected", "/tokens/Healthy", "/devices?token=Healthy", "/alerts", "/webhooks", "/audit",
    ]

    /// The English catalogue's sentences, cut at their placeholders: pieces of at least three words.
    static let englishSentences: [String] = {
        guard let english = MessageCatalogue.bundled.languages["en"] else { return [] }
        return english.values.flatMap { entry -> [String] in
            let texts: [String]
            switch entry {
            case .text(let text): texts = [text]
            case .plural(let forms): texts = Array(forms.values)
            }
            return texts.flatMap { text in
                text.split(separator: "{").map { piece in String(piece.split(separator: "}").last ?? "") }
            }
        }
        .filter { piece in
            piece.split { !$0.isLetter }.count >= 3 && piece.count >= 20 && !piece.contains("'")
                && !piece.contains("\"") && !piece.contains("<") && !piece.contains("&")
        }
    }()

    @Test(arguments: [("fr", "Jetons du programme d'inscription"), ("id", "Token program pendaftaran")])
    func everyPageIsWrittenInTheLanguage(tag: String, tokensTitle: String) async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            for path in Self.pages {
                let response = try await client.execute(
                    uri: path,
                    method: .get,
                    headers: [.cookie: session.cookie, .acceptLanguage: "\(tag), en;q=0.5"]
                )
                #expect(response.status == .ok, "\(path)")
                let html = String(buffer: response.body)
                #expect(html.contains(#"<html lang="\#(tag)">"#), "\(path)")
                #expect(html.contains(tokensTitle.replacingOccurrences(of: "'", with: "&#39;")), "\(path) has the nav")
                let keys = html.matches(
                    of: /(console|state|error|alert|function|severity|assignment)\.[a-z_]+\.[a-z_.]+/
                )
                #expect(keys.isEmpty, "\(path) shows keys: \(keys.map { String($0.output.0) })")
                for sentence in Self.englishSentences where html.contains(sentence) {
                    Issue.record("\(tag) \(path) still says in English: \(sentence)")
                }
            }
        }
    }

    @Test func theRejectedTokenExplainsItselfInFrenchAndIndonesian() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            func page(_ language: String) async throws -> String {
                String(
                    buffer: try await client.execute(
                        uri: "/tokens/Rejected",
                        method: .get,
                        headers: [.cookie: session.cookie, .acceptLanguage: language]
                    ).body
                )
            }
            let french = try await page("fr-CH")
            #expect(french.contains("Jeton rejeté"))
            #expect(french.contains("Comment résoudre le problème"))
            #expect(french.contains("<li>Lancez ade token renew Rejected FICHIER.p7m"))
            #expect(french.contains("<li>Synchronisation des appareils depuis ABM/ASM</li>"))
            let indonesian = try await page("id-ID")
            #expect(indonesian.contains("Token ditolak"))
            #expect(indonesian.contains("Cara mengatasinya"))
            #expect(indonesian.contains("<li>Jalankan ade token renew Rejected BERKAS.p7m"))

            // The picker's choice outlives the browser's language.
            let chosen = try await client.execute(
                uri: "/language?lang=id",
                method: .get,
                headers: [.cookie: session.cookie, .acceptLanguage: "fr"]
            )
            let cookie = try #require(chosen.headers[.setCookie])
            #expect(cookie.hasPrefix("ade_lang=id"))
            let picked = String(
                buffer: try await client.execute(
                    uri: "/tokens/Rejected",
                    method: .get,
                    headers: [.cookie: session.cookie + "; ade_lang=id", .acceptLanguage: "fr"]
                ).body
            )
            #expect(picked.contains("Token ditolak") && !picked.contains("Jeton rejeté"))
        }
    }

    @Test func theAPISpeaksTheLanguageItIsAskedFor() async throws {
        try await ServerFixture.with { fixture, client in
            let (_, reader) = try await fixture.access.createAPIToken(name: "dashboard", scope: .read)
            let answer = try await client.execute(
                uri: "/api/v1/tokens/Rejected",
                method: .get,
                headers: [.authorization: "Bearer \(reader)", .acceptLanguage: "ja"]
            )
            let token = try RouterTests.json(answer)
            #expect(token["title"] as? String == "トークンが拒否された")
            #expect((token["steps"] as? [String])?.first?.hasPrefix("誰かがこのサーバ用に") == true)
            let missing = try await client.execute(
                uri: "/api/v1/tokens/Nope",
                method: .get,
                headers: [.authorization: "Bearer \(reader)", .acceptLanguage: "de"]
            )
            #expect(String(buffer: missing.body).contains("Es gibt kein Token „Nope“."))
        }
    }
}
