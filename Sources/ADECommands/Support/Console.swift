import ADECore
import ArgumentParser
import Foundation

/// Where commands write: standard output for results, standard error for errors.
///
/// A task-local value, so tests run commands in process and read what they printed.
struct Console: Sendable {
    let writeOut: @Sendable (String) -> Void
    let writeError: @Sendable (String) -> Void

    /// The process's standard output and standard error.
    static let standard = Console(
        writeOut: { FileHandle.standardOutput.write(Data($0.utf8)) },
        writeError: { FileHandle.standardError.write(Data($0.utf8)) }
    )

    @TaskLocal static var current = Console.standard

    /// Prints one line of a result.
    func line(_ text: String) { writeOut(text + "\n") }

    /// Prints one line of guidance on standard error, so that standard output stays the result alone.
    func note(_ text: String) { writeError(text + "\n") }

    /// Prints the one-line report of an error a person can act on: its code, what happened, what to do.
    func report(_ error: some CataloguedError, locale: MessageLocale, catalogue: MessageCatalogue) {
        let (message, remedy) = catalogue.describe(error, locale: locale)
        let text = catalogue.string(
            .cliErrorLine,
            locale: locale,
            ["code": .string(error.catalogueCode), "message": .string(message), "remedy": .string(remedy)]
        )
        writeError(text + "\n")
    }
}

/// Runs a command's body; an error a person can act on becomes one line on standard error and exit code 1.
func reportingErrors(locale: MessageLocale, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as any CataloguedError {
        Console.current.report(error, locale: locale, catalogue: .bundled)
        throw ExitCode.failure
    }
}
