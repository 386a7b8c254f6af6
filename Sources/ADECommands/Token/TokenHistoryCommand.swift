import ADECore
import ADESupport
import ArgumentParser
import Foundation

/// `ade token history NAME [--limit N] [--format json]`: how the token's state changed, newest first.
struct TokenHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "How a token's state changed, newest first, with the error of the sync run that caused each change."
    )
    @Argument(help: "The token's name.") var name: String
    @Option(name: .long, help: "At most this many changes.") var limit: Int = 50
    @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            try await storeOptions.withStore { store in
                guard let token = try await store.token(named: name) else {
                    throw StoreError(.notFound, parameters: ["name": name])
                }
                let transitions = try await store.transitions(tokenID: token.id, limit: max(1, limit))
                let catalogue = MessageCatalogue.bundled
                switch format {
                case .json:
                    try Console.current.json(transitions)
                case .text:
                    for transition in transitions {
                        let from = transition.from.map { catalogue.string($0.titleKey, locale: locale) } ?? "—"
                        Console.current.line(
                            [
                                Timestamp.format(transition.at),
                                from + " → "
                                    + catalogue.string(transition.to.titleKey, locale: locale),
                                transition.errorCode ?? "",
                            ].joined(separator: "\t")
                        )
                    }
                }
            }
        }
    }
}
