import ADETesting
import Foundation
import ServerToken
import Testing

struct TokenKeypairCommandTests {
    @Test func writesAKeyReadableOnlyByItsOwnerAndACertificate() async throws {
        try await TemporaryDirectory.with { directory in
            let out = directory.path("keys")
            let result = await CommandHarness.run([
                "token", "keypair", "--out", out, "--common-name", "Contoso", "--days", "30",
            ])
            #expect(result.status == 0)
            #expect(result.error.isEmpty)
            let keyPath = out + "/private-key.pem"
            let certificatePath = out + "/certificate.pem"
            let keyMode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
            let certificateMode =
                try FileManager.default.attributesOfItem(atPath: certificatePath)[.posixPermissions] as? Int
            #expect(keyMode == 0o600)
            #expect(certificateMode == 0o644)

            let key = try TokenPrivateKey(pemRepresentation: String(contentsOfFile: keyPath, encoding: .utf8))
            let certificate = try TokenCertificate(
                pemRepresentation: String(contentsOfFile: certificatePath, encoding: .utf8)
            )
            #expect(certificate.matches(key))
            #expect(certificate.commonName == "Contoso")
            let days = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) / 86_400
            #expect(days == 30)

            #expect(result.output.contains(keyPath) && result.output.contains(certificatePath))
            #expect(result.output.contains("valid for 30 days"))
            #expect(result.output.contains("Your MDM Servers"))
            #expect(!result.output.contains("BEGIN"), "the key itself is never printed")
        }
    }

    @Test func refusesToOverwriteWithoutForce() async throws {
        try await TemporaryDirectory.with { directory in
            let out = directory.path("keys")
            #expect(await CommandHarness.run(["token", "keypair", "--out", out]).status == 0)
            let key = try String(contentsOfFile: out + "/private-key.pem", encoding: .utf8)
            let certificate = try String(contentsOfFile: out + "/certificate.pem", encoding: .utf8)

            let refused = await CommandHarness.run(["token", "keypair", "--out", out])
            #expect(refused.status == 1)
            #expect(refused.output.isEmpty)
            #expect(refused.error.hasPrefix("error [file_exists]: "))
            #expect(refused.error.contains("--force"))
            #expect(refused.error.split(separator: "\n").count == 1)
            #expect(try String(contentsOfFile: out + "/private-key.pem", encoding: .utf8) == key)
            #expect(try String(contentsOfFile: out + "/certificate.pem", encoding: .utf8) == certificate)

            // Only the certificate left behind: still refused, and the key is not written either.
            try FileManager.default.removeItem(atPath: out + "/private-key.pem")
            #expect(await CommandHarness.run(["token", "keypair", "--out", out]).status == 1)
            #expect(!FileManager.default.fileExists(atPath: out + "/private-key.pem"))

            let forced = await CommandHarness.run(["token", "keypair", "--out", out, "--force"])
            #expect(forced.status == 0)
            #expect(try String(contentsOfFile: out + "/private-key.pem", encoding: .utf8) != key)
            let mode =
                try FileManager.default.attributesOfItem(atPath: out + "/private-key.pem")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func refusesBadParametersWithoutWritingAnything() async throws {
        try await TemporaryDirectory.with { directory in
            let out = directory.path("keys")
            for arguments in [["--days", "0"], ["--days", "4000"], ["--common-name", ""]] {
                let result = await CommandHarness.run(["token", "keypair", "--out", out] + arguments)
                #expect(result.status == 1)
                #expect(result.error.hasPrefix("error [invalid_parameter]: "), "\(arguments)")
                #expect(!FileManager.default.fileExists(atPath: out))
            }
        }
    }

    @Test func reportsAnUnwritableDirectory() async throws {
        try await TemporaryDirectory.with { directory in
            let file = try directory.write("a-file", Array("x".utf8))
            let result = await CommandHarness.run(["token", "keypair", "--out", file])
            #expect(result.status == 1)
            #expect(result.error.hasPrefix("error [file_unwritable]: "))
        }
    }
}
