import ADECore
import Foundation
import Testing

@testable import ADECommands

/// What the README says of the states and the demo agrees with the code, and no source cites a document the
/// repository does not have.
struct ReadmeAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func readme() throws -> String {
        try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// Each row of the README's state table: the states it names, its severity and what it says the state breaks.
    @Test func theStateTableListsEveryStateWithWhatItBreaks() throws {
        let text = try Self.readme()
        let section = try #require(text.range(of: "### Token states")).upperBound
        let table = text[section...].split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        var listed: Set<TokenState> = []
        for row in table where row.hasPrefix("| `") {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let names = cells[0].prefix { $0 != ":" }.matches(of: /`([a-z_]+)`/).map { String($0.1) }
            let breaks: Set<ADEFunction> = Set(
                cells[2].split(separator: ",").compactMap { word -> ADEFunction? in
                    switch word.trimmingCharacters(in: .whitespaces) {
                    case "sync": .deviceSync
                    case "assignment": .profileAssignment
                    case "enrollment": .enrollment
                    default: nil
                    }
                }
            )
            for name in names {
                let state = try #require(TokenState(rawValue: name), "\(name) is not a state")
                listed.insert(state)
                #expect(Set(state.entry.breaks) == breaks, "\(name): the README says \(breaks)")
                #expect(cells[1].contains(state.entry.severity.rawValue), "\(name): severity")
            }
        }
        #expect(listed == Set(TokenState.allCases).subtracting([.healthy]), "every state but healthy has its row")
    }

    @Test func theDemoAsTheREADMEDescribesIt() throws {
        let text = try Self.readme()
        #expect(text.contains("Every sample token has a"), "every demo token has a default profile")
        #expect(!text.contains("The two working tokens have a"))
        #expect(text.contains("Database: "), "the demo's database path, as it prints it")
    }

    @Test func noSourceCitesADocumentTheRepositoryDoesNotHave() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let files =
            FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /see ([A-Za-z\/]+\.md)/) {
                let cited = String(match.1)
                #expect(
                    FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(cited).path),
                    "\(file.lastPathComponent) cites \(cited)"
                )
            }
            #expect(!text.contains("see DESIGN.md"), "\(file.lastPathComponent)")
        }
    }
}
