import ADECore
import ADETesting
import Foundation
import ServerToken
import Testing

@testable import ADECommands

struct TokenDecryptCommandTests {
    typealias Sample = Fixtures.SampleToken

    private var keyPath: String { Fixtures.url(Sample.privateKeyPath).path }
    private var tokenPath: String { Fixtures.url(Sample.tokenPath).path }

    @Test func printsTheCredentialsAsTheTokenFileHasThem() async throws {
        let result = await CommandHarness.run(["token", "decrypt", "--key", keyPath, tokenPath])
        #expect(result.status == 0)
        #expect(result.error.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: String]
        #expect(
            json == [
                "consumer_key": Sample.consumerKey, "consumer_secret": Sample.consumerSecret,
                "access_token": Sample.accessToken, "access_secret": Sample.accessSecret,
                "access_token_expiry": "2026-01-17T11:02:21Z",
            ]
        )
        #expect(result.output.hasPrefix(#"{"consumer_key":"#))
        let explicit = await CommandHarness.run(["token", "decrypt", "--key", keyPath, tokenPath, "--format", "json"])
        #expect(explicit.output == result.output)
    }

    @Test func printsLabelledTextWithTheExpiryInDays() async throws {
        let certificatePath = Fixtures.url(Sample.certificatePath).path
        let result = await CommandHarness.run([
            "token", "decrypt", "--key", keyPath, "--certificate", certificatePath, tokenPath, "--format", "text",
        ])
        #expect(result.status == 0)
        #expect(result.output.contains("Consumer key:    \(Sample.consumerKey)\n"))
        #expect(result.output.contains("Issued:          2025-01-17T11:02:21Z\n"))
        #expect(result.output.contains("Expires:         2026-01-17T11:02:21Z (expired "))

        let credentials = try ServerTokenDecryptor(
            privateKey: TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        ).decrypt(Fixtures.bytes(Sample.tokenPath))
        let text = { (now: Date) in TokenDecryptCommand.text(credentials, locale: .english, now: now) }
        #expect(
            text(Sample.accessTokenExpiry.addingTimeInterval(-86_400 * 30 + 60)).contains("(valid for 30 more days)")
        )
        #expect(text(Sample.accessTokenExpiry.addingTimeInterval(-86_400)).contains("(valid for 1 more day)"))
        #expect(text(Sample.accessTokenExpiry.addingTimeInterval(-86_400 - 1)).contains("(valid for 2 more days)"))
        #expect(text(Sample.accessTokenExpiry.addingTimeInterval(-60)).contains("(expires in less than a day"))
        #expect(text(Sample.accessTokenExpiry.addingTimeInterval(60)).contains("(expired less than a day ago)"))
        #expect(text(Sample.accessTokenExpiry.addingTimeInterval(86_400 * 2 + 1)).contains("(expired 2 days ago)"))
    }

    @Test(arguments: [
        (["--key", "/nonexistent/key.pem", "TOKEN"], "file_not_found"),
        (["--key", "KEY", "/nonexistent/token.p7m"], "file_not_found"),
        (["--key", "TOKEN", "TOKEN"], "invalid_private_key"),
        (["--key", "KEY", "KEY"], "private_key_instead_of_token"),
        (["--key", "KEY", "CERT"], "certificate_instead_of_token"),
        (["--key", "KEY", "--certificate", "KEY", "TOKEN"], "invalid_certificate"),
        (["--key", "KEY", "/"], "file_unreadable"),
    ])
    func failsWithOneLineNamingTheCode(arguments: [String], code: String) async throws {
        let substitutions = [
            "KEY": keyPath, "TOKEN": tokenPath, "CERT": Fixtures.url(Sample.certificatePath).path,
        ]
        let resolved = arguments.map { substitutions[$0] ?? $0 }
        let result = await CommandHarness.run(["token", "decrypt"] + resolved)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.error.hasPrefix("error [\(code)]: "))
        #expect(result.error.hasSuffix("\n"))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test func aWrongKeyIsReportedWithoutASecret() async throws {
        try await TemporaryDirectory.with { directory in
            #expect(await CommandHarness.run(["token", "keypair", "--out", directory.path("other")]).status == 0)
            let result = await CommandHarness.run([
                "token", "decrypt", "--key", directory.path("other/private-key.pem"), tokenPath,
            ])
            #expect(result.status == 1)
            #expect(result.error.hasPrefix("error [no_matching_recipient]: "))
            for secret in [Sample.consumerSecret, Sample.accessSecret, Sample.accessToken, "BEGIN"] {
                #expect(!result.error.contains(secret))
            }
        }
    }

    @Test func refusesAnOversizedFileBeforeReadingIt() async throws {
        try await TemporaryDirectory.with { directory in
            let big = try directory.write("big.p7m", [UInt8](repeating: 0x41, count: ServerTokenFile.maximumSize + 1))
            let result = await CommandHarness.run(["token", "decrypt", "--key", keyPath, big])
            #expect(result.status == 1)
            #expect(result.error.hasPrefix("error [file_too_large]: "))
        }
    }

    @Test func rejectsAnUnknownFormat() async {
        let result = await CommandHarness.run(["token", "decrypt", "--key", keyPath, tokenPath, "--format", "xml"])
        #expect(result.status == 64)  // EX_USAGE, from the argument parser.
        #expect(result.output.isEmpty)
    }

    @Test func everyCommandErrorHasAMessageAndARemedy() throws {
        let english = try #require(MessageCatalogue.bundled.languages["en"])
        for code in CommandError.Code.allCases {
            let error = CommandError(code, path: "/p")
            #expect(english[error.messageKey.rawValue] != nil, "no message for \(code)")
            #expect(english[error.remedyKey.rawValue] != nil, "no remedy for \(code)")
        }
    }
}
