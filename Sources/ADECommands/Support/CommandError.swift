import ADECore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of `ADECommands`: problems with the files and options a person gave a command.
struct CommandError: Error, Sendable, CodedError {
    static let subsystem = "command"

    /// A stable error code.
    struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case fileNotFound = "file_not_found"
            case fileUnreadable = "file_unreadable"
            case fileTooLarge = "file_too_large"
            case fileExists = "file_exists"
            case fileUnwritable = "file_unwritable"
            case credentialsInvalid = "credentials_invalid"
            case jsonInvalid = "json_invalid"
            case confirmationRequired = "confirmation_required"
            case configurationInvalid = "configuration_invalid"
            case urlInvalid = "url_invalid"
            case credentialsRequired = "credentials_required"
            case databaseMissing = "database_missing"
            case passwordRequired = "password_required"
            case listenInvalid = "listen_invalid"
            case tlsIncomplete = "tls_incomplete"
            case addressInUse = "address_in_use"
            case toolFailed = "tool_failed"
            case settingInvalid = "setting_invalid"
            case copyTargetInvalid = "copy_target_invalid"
            case copyTargetNotEmpty = "copy_target_not_empty"
            case copyMismatch = "copy_mismatch"
            case databaseNotEmpty = "database_not_empty"
        }
        fileprivate let backing: Backing
        var rawValue: String { backing.rawValue }
        var description: String { backing.rawValue }
        static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        static let fileNotFound = Code(backing: .fileNotFound)
        static let fileUnreadable = Code(backing: .fileUnreadable)
        static let fileTooLarge = Code(backing: .fileTooLarge)
        static let fileExists = Code(backing: .fileExists)
        static let fileUnwritable = Code(backing: .fileUnwritable)
        /// A `--credentials` file that is not the JSON of a decrypted token.
        static let credentialsInvalid = Code(backing: .credentialsInvalid)
        /// A JSON file (a profile) that does not parse as what the command takes.
        static let jsonInvalid = Code(backing: .jsonInvalid)
        /// A destructive command run without its confirmation flag.
        static let confirmationRequired = Code(backing: .confirmationRequired)
        /// A simulator configuration file that does not parse.
        static let configurationInvalid = Code(backing: .configurationInvalid)
        /// A `--url` that is not an absolute http(s) URL.
        static let urlInvalid = Code(backing: .urlInvalid)
        /// `ade dep` needs exactly one of `--credentials` and `--token`.
        static let credentialsRequired = Code(backing: .credentialsRequired)
        /// A command that only reads found no database (`path`).
        static let databaseMissing = Code(backing: .databaseMissing)
        /// No password on a terminal, and `--password-stdin` not given.
        static let passwordRequired = Code(backing: .passwordRequired)
        /// A `--listen` value that is not `HOST:PORT` (`value`).
        static let listenInvalid = Code(backing: .listenInvalid)
        /// Only one of `--tls-certificate` and `--tls-key`.
        static let tlsIncomplete = Code(backing: .tlsIncomplete)
        /// Another program listens on the address already (`address`).
        static let addressInUse = Code(backing: .addressInUse)
        /// A program a command runs (`tool`: wrk for `ade bench server`) is missing or failed (`detail`).
        static let toolFailed = Code(backing: .toolFailed)
        /// A setting (flag or environment variable) outside its range (`setting`, `minimum`, `maximum`).
        static let settingInvalid = Code(backing: .settingInvalid)
        /// `ade store copy --to` that is not a PostgreSQL URL, or `--from` that is (`value`).
        static let copyTargetInvalid = Code(backing: .copyTargetInvalid)
        /// `ade store copy` into a database that holds rows already (`table`).
        static let copyTargetNotEmpty = Code(backing: .copyTargetNotEmpty)
        /// A table whose copy does not hold the same rows as its source (`table`); nothing was kept.
        static let copyMismatch = Code(backing: .copyMismatch)
        /// A benchmark given a database that already holds tokens (`database`); it fills only an empty one.
        static let databaseNotEmpty = Code(backing: .databaseNotEmpty)
    }

    let code: Code
    let parameters: [String: String]

    init(_ code: Code, path: String, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters.merging(["path": path]) { new, _ in new }
    }

    init(_ code: Code, parameters: [String: String]) {
        self.code = code
        self.parameters = parameters
    }

}

extension CommandError {
    /// Runs a server's services; an address another program holds becomes `address_in_use`, naming it and the
    /// option that chooses another (`--listen`, or `--port` for the simulator).
    static func serving(
        _ address: String,
        option: String = "--listen",
        free: String = "127.0.0.1:0",
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CommandError(.addressInUse, parameters: ["address": address, "option": option, "free": free])
        }
    }
}
