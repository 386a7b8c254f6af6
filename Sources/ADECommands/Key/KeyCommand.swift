import ADECore
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
                try await storeOptions.withOpenStore { store, old, source in
                    let keyFile: String? =
                        switch source {
                        case .file(let path), .newFile(let path): path
                        case .environment: nil
                        }
                    let new = MasterKey.generate()
                    let staged = keyFile.map { $0 + ".new" }
                    if let staged {
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
                        if let staged { try? FileManager.default.removeItem(atPath: staged) }
                        throw error
                    }
                    try await CommandAudit.record(
                        store,
                        "key.rotate",
                        keyFile ?? "ADE_MASTER_KEY",
                        after: ["key_check": new.checkValue]
                    )
                    let catalogue = MessageCatalogue.bundled
                    if let keyFile, let staged {
                        try FileAccess.replace(keyFile, with: staged)
                        Console.current.line(
                            catalogue.string(.keyRotateFile, locale: locale, ["path": .string(keyFile)])
                        )
                    } else {
                        Console.current.line(new.base64)
                        Console.current.note(catalogue.string(.keyRotateEnvironment, locale: locale))
                    }
                }
            }
        }
    }
}
