import ADECore
import ArgumentParser
import Foundation
import ServerToken

/// `ade token keypair --out DIR [--common-name CN] [--days N] [--force]`
struct TokenKeypairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keypair",
        abstract: "Generate a private key and the certificate to upload to Apple Business Manager.",
        discussion: """
            Writes DIR/private-key.pem (PKCS#1, mode 0600) and DIR/certificate.pem. Upload the certificate to the \
            MDM server in ABM/ASM (Preferences > Your MDM Servers), then download the server token (.p7m): it is \
            encrypted to this key.
            """
    )

    static let privateKeyFileName = "private-key.pem"
    static let certificateFileName = "certificate.pem"

    @Option(name: .long, help: "The directory to write private-key.pem and certificate.pem into (created if missing).")
    var out: String

    @Option(name: .long, help: "The certificate's common name.")
    var commonName: String = TokenKeyPair.defaultCommonName

    @Option(name: .long, help: "Days the certificate is valid (1-3650).")
    var days: Int = TokenKeyPair.defaultValidityDays

    @Flag(name: .long, help: "Replace an existing key pair in DIR. Its private key is lost.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let directory = URL(fileURLWithPath: out)
            let keyPath = directory.appendingPathComponent(Self.privateKeyFileName).path
            let certificatePath = directory.appendingPathComponent(Self.certificateFileName).path
            if !force {
                for path in [keyPath, certificatePath] where FileAccess.exists(path) {
                    throw CommandError(.fileExists, path: path)
                }
            }
            let keyPair = try TokenKeyPair.generate(
                commonName: commonName,
                notValidBefore: Date(),
                validityDays: days
            )
            try FileAccess.makeDirectory(directory.path)
            try FileAccess.writeNew(
                keyPath,
                contents: Array(keyPair.privateKey.pemRepresentation.utf8),
                mode: 0o600,
                replacing: force
            )
            do {
                try FileAccess.writeNew(
                    certificatePath,
                    contents: Array(keyPair.certificate.pemRepresentation.utf8),
                    mode: 0o644,
                    replacing: force
                )
            } catch {
                try? FileManager.default.removeItem(atPath: keyPath)  // Leave no key without its certificate.
                throw error
            }

            let catalogue = MessageCatalogue.bundled
            let console = Console.current
            let paths: [String: MessageArgument] = [
                "privateKey": .string(keyPath), "certificate": .string(certificatePath),
            ]
            console.line(catalogue.string(.keypairWritten, locale: locale, paths))
            console.line(
                catalogue.string(
                    .keypairValidity,
                    locale: locale,
                    [
                        "count": .int(days), "commonName": .string(commonName),
                        "date": .string(OAuthCredentials.formatTimestamp(keyPair.certificate.notValidAfter)),
                    ]
                )
            )
            console.line(catalogue.string(.keypairKeepSecret, locale: locale, paths))
            console.line(catalogue.string(.keypairNext, locale: locale, paths))
        }
    }
}
