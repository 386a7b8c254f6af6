import ADECore
import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The language of messages (en, fr, pt-BR …). Default: LC_ALL, LC_MESSAGES or LANG.")
    var lang: String?

    /// The locale of every message this run prints.
    var locale: MessageLocale {
        lang.map(MessageLocale.init) ?? .fromEnvironment(ProcessInfo.processInfo.environment)
    }
}
