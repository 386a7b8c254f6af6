import ADECore
import ADESQLite
import ArgumentParser
import Foundation

/// `ade key rotate`: the master key.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the master key that encrypts the stored secrets.",
        subcommands: [Rotate.self]
    )

    /// Re-encrypts every secret under a new master key, in one transaction.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every secret with a new master key, in one transaction.",
            discussion: """
                With a key file, the new key is written beside it as .new and replaces it once the database is updated. \
                With ADE_MASTER_KEY, the new key is printed: set it before ade starts again.
                """
        )
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let path = storeOptions.databasePath
                let store = try SQLiteStore(path: path)
                let keyFile = storeOptions.keyFilePath
                let (old, source) = try await MasterKeyLoader.load(
                    environment: ProcessInfo.processInfo.environment,
                    keyFilePath: keyFile,
                    store: store
                )
                let new = MasterKey.generate()
                let staged = keyFile + ".new"
                if source != .environment {
                    // The new key is on disk before any secret depends on it.
                    try FileAccess.writeNew(
                        staged,
                        contents: Array((new.base64 + "\n").utf8),
                        mode: 0o600,
                        replacing: true
                    )
                }
                let oldBox = SecretBox(key: old)
                let newBox = SecretBox(key: new)
                do {
                    try await store.resealAll(
                        newKeyCheckValue: new.checkValue,
                        KeyRotation.reseal(from: oldBox, to: newBox)
                    )
                } catch {
                    try? FileManager.default.removeItem(atPath: staged)
                    throw error
                }
                try await CommandAudit.record(
                    store,
                    "key.rotate",
                    source == .environment ? "ADE_MASTER_KEY" : keyFile,
                    after: ["key_check": new.checkValue]
                )
                let catalogue = MessageCatalogue.bundled
                if source == .environment {
                    Console.current.line(new.base64)
                    Console.current.note(catalogue.string(.keyRotateEnvironment, locale: locale))
                } else {
                    try FileAccess.replace(keyFile, with: staged)
                    Console.current.line(catalogue.string(.keyRotateFile, locale: locale, ["path": .string(keyFile)]))
                }
            }
        }
    }
}
