import ADECore
import ArgumentParser
import Foundation
import ServerToken

/// `ade token decrypt --key KEY.pem TOKEN.p7m [--certificate CERT.pem] [--format json|text]`
struct TokenDecryptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt a server token (.p7m) and print its OAuth credentials.",
        discussion: """
            Prints the credentials with the JSON keys of the token file (consumer_key, consumer_secret, \
            access_token, access_secret, access_token_expiry). The output holds secrets: do not paste it anywhere \
            public. Exit status: 0 on success, 1 when a file or the token cannot be used (one line on standard error \
            names the error code and what to do).
            """
    )

    /// Private keys and certificates are a few kilobytes; this refuses a wrong file early.
    static let keyFileLimit = 64 * 1024

    @Option(name: .long, help: "The private key the token was encrypted to (PEM, PKCS#1 or PKCS#8).")
    var key: String

    @Option(name: .long, help: "The key's certificate: picks the right recipient when a token has several.")
    var certificate: String?

    @Option(name: .long, help: "Output format: json or text.")
    var format: OutputFormat = .json

    @Argument(help: "The server token file downloaded from ABM/ASM (.p7m).")
    var token: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            let keyText = String(decoding: try FileAccess.read(key, limit: Self.keyFileLimit), as: UTF8.self)
            let privateKey = try TokenPrivateKey(pemRepresentation: keyText)
            let certificate = try self.certificate.map {
                try TokenCertificate(
                    pemRepresentation: String(
                        decoding: try FileAccess.read($0, limit: Self.keyFileLimit),
                        as: UTF8.self
                    )
                )
            }
            let tokenBytes = try FileAccess.read(token, limit: ServerTokenFile.maximumSize)
            let credentials = try ServerTokenDecryptor(privateKey: privateKey, certificate: certificate)
                .decrypt(tokenBytes)
            switch format {
            case .json:
                Console.current.line(credentials.tokenJSON)
            case .text:
                Console.current.line(Self.text(credentials, locale: locale, now: Date()))
            }
        }
    }

    /// The credentials as aligned, labelled lines, with the expiry in days.
    static func text(_ credentials: OAuthCredentials, locale: MessageLocale, now: Date) -> String {
        let catalogue = MessageCatalogue.bundled
        let label = { (key: MessageKey) in catalogue.string(key, locale: locale) }
        let issued = credentials.issuedAt.map(OAuthCredentials.formatTimestamp) ?? label(.decryptUnknown)
        let expiry = OAuthCredentials.formatTimestamp(credentials.accessTokenExpiry)
        let rows: [(String, String)] = [
            (label(.decryptLabelConsumerKey), credentials.consumerKey),
            (label(.decryptLabelConsumerSecret), credentials.consumerSecret),
            (label(.decryptLabelAccessToken), credentials.accessToken),
            (label(.decryptLabelAccessSecret), credentials.accessSecret),
            (label(.decryptLabelIssued), issued),
            (
                label(.decryptLabelExpires),
                "\(expiry) (\(status(of: credentials.accessTokenExpiry, now: now, locale: locale)))"
            ),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "\($0.0):" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 }
            .joined(separator: "\n")
    }

    private static func status(of expiry: Date, now: Date, locale: MessageLocale) -> String {
        let catalogue = MessageCatalogue.bundled
        let seconds = expiry.timeIntervalSince(now)
        let days = abs(TokenHealth.days(left: seconds))
        switch (seconds > 0, abs(seconds) < 86_400 ? 0 : days) {
        case (true, 0): return catalogue.string(.decryptValidUnderADay, locale: locale)
        case (true, _): return catalogue.string(.decryptValidFor, locale: locale, ["count": .int(days)])
        case (false, 0): return catalogue.string(.decryptExpiredUnderADay, locale: locale)
        case (false, _): return catalogue.string(.decryptExpiredAgo, locale: locale, ["count": .int(days)])
        }
    }
}
