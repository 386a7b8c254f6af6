import ADECore
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where commands write: standard output for results, standard error for errors.
///
/// A task-local value, so tests run commands in process and read what they printed.
struct Console: Sendable {
    let writeOut: @Sendable (String) -> Void
    let writeError: @Sendable (String) -> Void
    /// Whether standard error is a terminal that redraws a line in place (progress is drawn only there).
    let isTerminal: Bool
    /// The terminal's width in characters (80 when unknown).
    let terminalWidth: Int

    init(
        writeOut: @escaping @Sendable (String) -> Void,
        writeError: @escaping @Sendable (String) -> Void,
        isTerminal: Bool = false,
        terminalWidth: Int = 80
    ) {
        self.writeOut = writeOut
        self.writeError = writeError
        self.isTerminal = isTerminal
        self.terminalWidth = terminalWidth
    }

    /// The process's standard output and standard error.
    static let standard = Console(
        writeOut: { FileHandle.standardOutput.write(Data($0.utf8)) },
        writeError: { FileHandle.standardError.write(Data($0.utf8)) },
        isTerminal: isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb",
        terminalWidth: standardErrorWidth()
    )

    @TaskLocal static var current = Console.standard

    /// Prints one line of a result.
    func line(_ text: String) { writeOut(text + "\n") }

    /// Prints a value as indented JSON with sorted keys and ISO 8601 dates (`--format json`).
    func json(_ value: some Encodable) throws { line(try Self.jsonText(value)) }

    /// A value as `--format json` writes it: indented, keys sorted, ISO 8601 dates.
    static func jsonText(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        // Foundation writes an empty list as "[", a blank line and "]"; a script's reader expects "[]".
        return text == "[\n\n]" ? "[]" : text
    }

    /// Prints one line of guidance on standard error, so that standard output stays the result alone.
    func note(_ text: String) { writeError(text + "\n") }

    /// Replaces the progress line on a terminal (an empty text clears it); nothing elsewhere.
    func progress(_ text: String) {
        guard isTerminal else { return }
        writeError("\r\u{1B}[2K" + text)
    }

    /// The width of the terminal on standard error.
    private static func standardErrorWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

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
