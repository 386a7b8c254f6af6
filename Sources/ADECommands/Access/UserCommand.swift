import ADECore
import ADEServer
import ArgumentParser
import Foundation

/// `ade user add|list|delete|reset-password`: the people who sign in to the console.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the console's users.",
        subcommands: [Add.self, List.self, Delete.self, ResetPassword.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user; the password is typed twice, or read with --password-stdin."
        )
        @Argument(help: "The sign-in name.") var name: String
        @OptionGroup var password: PasswordInput
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let catalogue = MessageCatalogue.bundled
                try await storeOptions.withAccess { access, store in
                    let secret = try password.read(locale: locale)
                    let user = try await access.addUser(name: name, password: secret)
                    try await CommandAudit.record(store, "user.create", user.name)
                    Console.current.line(catalogue.string(.userAdded, locale: locale, ["name": .string(user.name)]))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the console's users.")
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        struct Entry: Encodable {
            var name: String
            var createdAt: Date
            var passwordChangedAt: Date
            enum CodingKeys: String, CodingKey {
                case name
                case createdAt = "created_at"
                case passwordChangedAt = "password_changed_at"
            }
        }

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let users = try await storeOptions.withStore { try await $0.users() }
                switch format {
                case .json:
                    try Console.current.json(
                        users.map {
                            Entry(name: $0.name, createdAt: $0.createdAt, passwordChangedAt: $0.passwordChangedAt)
                        }
                    )
                case .text:
                    if users.isEmpty {
                        Console.current.line(MessageCatalogue.bundled.string(.userNone, locale: locale))
                    }
                    for user in users {
                        Console.current.line("\(user.name)\t\(ISO8601DateFormatter().string(from: user.createdAt))")
                    }
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a console user and end their sessions.")
        @Argument(help: "The sign-in name.") var name: String
        @Flag(name: .long, help: "Confirm the deletion.") var yes = false
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withAccess { access, store in
                    guard yes else {
                        guard try await store.user(named: name) != nil else {
                            throw AccessError(.userNotFound, parameters: ["name": name])
                        }
                        throw CommandError(.confirmationRequired, parameters: ["flag": "--yes"])
                    }
                    try await access.deleteUser(name: name)
                    try await CommandAudit.record(store, "user.delete", name)
                    Console.current.line(
                        MessageCatalogue.bundled.string(.userDeleted, locale: locale, ["name": .string(name)])
                    )
                }
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a user's password and end their sessions."
        )
        @Argument(help: "The sign-in name.") var name: String
        @OptionGroup var password: PasswordInput
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let catalogue = MessageCatalogue.bundled
                try await storeOptions.withAccess { access, store in
                    guard try await store.user(named: name) != nil else {
                        throw AccessError(.userNotFound, parameters: ["name": name])
                    }
                    let secret = try password.read(locale: locale)
                    try await access.resetPassword(name: name, password: secret)
                    try await CommandAudit.record(store, "user.reset_password", name)
                    Console.current.line(catalogue.string(.userPasswordReset, locale: locale, ["name": .string(name)]))
                }
            }
        }
    }
}
