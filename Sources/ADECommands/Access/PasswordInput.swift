import ADECore
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How `ade user add` and `reset-password` get a password: typed twice on a terminal without echo, or the first line
/// of standard input with `--password-stdin`. Never an argument (it would reach the shell's history and `ps`).
struct PasswordInput: ParsableArguments {
    @Flag(name: .long, help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    /// The password, prompted for in `locale`, or an error naming the way to give one.
    func read(locale: MessageLocale) throws -> String {
        let catalogue = MessageCatalogue.bundled
        return try read(
            prompt: catalogue.string(.userPasswordPrompt, locale: locale),
            again: catalogue.string(.userPasswordAgain, locale: locale)
        )
    }

    /// The password, or an error naming the way to give one.
    func read(prompt: String, again: String) throws -> String {
        if passwordStdin {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandError(.passwordRequired, parameters: [:])
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else { throw CommandError(.passwordRequired, parameters: [:]) }
        let first = try Self.prompt(prompt)
        let second = try Self.prompt(again)
        guard first == second else { throw CommandError(.passwordRequired, parameters: ["detail": "mismatch"]) }
        return first
    }

    /// Reads one line from the terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw CommandError(.passwordRequired, parameters: [:])
        }
        return line
    }
}
