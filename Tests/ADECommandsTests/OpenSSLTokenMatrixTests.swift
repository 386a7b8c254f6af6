import ADETesting
import Foundation
import ServerToken
import Testing

/// Tokens that `openssl smime -encrypt` and `openssl cms -encrypt` make for a certificate from `ade token keypair`,
/// in every cipher, key transport and encoding `ade` claims, decrypt with `ade token decrypt`; 3DES is refused with
/// its code.
struct OpenSSLTokenMatrixTests {
    struct Case: Sendable, CustomTestStringConvertible {
        enum Tool: String, Sendable { case smime, cms }
        enum Encoding: String, Sendable, CaseIterable { case smime = "SMIME", pem = "PEM", der = "DER" }

        var tool: Tool
        var cipher: String
        var keyTransport: KeyTransport
        var encoding: Encoding
        /// `-stream`: BER with indefinite lengths, as ABM writes; otherwise definite-length DER.
        var stream: Bool

        var testDescription: String {
            "\(tool) \(cipher) \(keyTransport.rawValue) \(encoding.rawValue)\(stream ? " stream" : "")"
        }

        var arguments: [String] {
            var arguments = [tool.rawValue, "-encrypt", "-\(cipher)"]
            if stream { arguments.append("-stream") }
            arguments += ["-outform", encoding.rawValue]
            return arguments
        }

        func recipientArguments(certificate: String) -> [String] {
            switch (tool, keyTransport) {
            case (.smime, _): return [certificate]
            case (.cms, .rsaPKCS1v15): return ["-recip", certificate]
            case (.cms, .rsaOAEPSHA1): return ["-recip", certificate, "-keyopt", "rsa_padding_mode:oaep"]
            case (.cms, .rsaOAEPSHA256):
                return ["-recip", certificate, "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"]
            }
        }

        static let ciphers = ["aes128", "aes192", "aes256", "des3"]

        static let all: [Case] = {
            var cases: [Case] = []
            for cipher in ciphers {
                for stream in [false, true] {
                    for encoding in Encoding.allCases {
                        // openssl smime has no key options: RSA PKCS #1 v1.5 only. Its PEM label is PKCS7, cms's CMS.
                        cases.append(
                            Case(
                                tool: .smime,
                                cipher: cipher,
                                keyTransport: .rsaPKCS1v15,
                                encoding: encoding,
                                stream: stream
                            )
                        )
                    }
                    for keyTransport in KeyTransport.allCases {
                        for encoding in Encoding.allCases {
                            cases.append(
                                Case(
                                    tool: .cms,
                                    cipher: cipher,
                                    keyTransport: keyTransport,
                                    encoding: encoding,
                                    stream: stream
                                )
                            )
                        }
                    }
                }
            }
            return cases
        }()
    }

    static let credentials = Fixtures.syntheticCredentials

    /// One key pair for the whole matrix, made by `ade token keypair`.
    actor KeyPairFiles {
        static let shared = KeyPairFiles()
        private var paths: (directory: TemporaryDirectory, key: String, certificate: String)?

        func get() async throws -> (directory: TemporaryDirectory, key: String, certificate: String) {
            if let paths { return paths }
            let directory = try TemporaryDirectory()
            let result = await CommandHarness.run(["token", "keypair", "--out", directory.path("keys"), "--days", "2"])
            guard result.status == 0 else { throw OpenSSLError(message: "ade token keypair failed: \(result.error)") }
            let made = (directory, directory.path("keys/private-key.pem"), directory.path("keys/certificate.pem"))
            paths = made
            return made
        }
    }

    @Test(arguments: Case.all)
    func decryptsWhatOpenSSLEncrypts(_ testCase: Case) async throws {
        let files = try await KeyPairFiles.shared.get()
        let name = testCase.testDescription.replacingOccurrences(of: " ", with: "-")
        let payload = try files.directory.write("\(name).txt", Self.credentials.tokenPayload)
        let token = files.directory.path("\(name).p7m")
        try OpenSSL.run(
            testCase.arguments + ["-in", payload, "-out", token]
                + testCase.recipientArguments(certificate: files.certificate)
        )

        // The encoding is the one the case names.
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: token)))
        switch testCase.encoding {
        case .smime: #expect(file.starts(with: Array("MIME-Version: 1.0".utf8)))
        case .pem:
            #expect(file.starts(with: Array("-----BEGIN \(testCase.tool == .smime ? "PKCS7" : "CMS")-----".utf8)))
        case .der: #expect(file.first == 0x30)
        }
        let cms = try ServerTokenFile.cmsBytes(from: file)
        #expect(cms[1] == (testCase.stream ? 0x80 : 0x82), "stream means indefinite length, else definite DER")
        let outline = try #require(BEROutline.outline(cms))
        #expect(outline.contains(where: \.indefinite) == testCase.stream)

        let result = await CommandHarness.run(["token", "decrypt", "--key", files.key, token])
        if testCase.cipher == "des3" {
            #expect(result.status == 1)
            #expect(result.output.isEmpty)
            #expect(result.error.hasPrefix("error [unsupported_algorithm]: "))
            #expect(result.error.contains("DES-EDE3-CBC (3DES)"))
            #expect(result.error.contains("AES-128-CBC"))
        } else {
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output == Self.credentials.tokenJSON + "\n")
        }
    }

    @Test func picksOurRecipientAmongSeveral() async throws {
        let files = try await KeyPairFiles.shared.get()
        let other = try TokenKeyPair.generate(notValidBefore: Date())
        let otherCertificate = try files.directory.write("other.pem", Array(other.certificate.pemRepresentation.utf8))
        let payload = try files.directory.write("several.txt", Self.credentials.tokenPayload)
        let token = files.directory.path("several.p7m")
        try OpenSSL.run([
            "cms", "-encrypt", "-aes128", "-in", payload, "-out", token, "-outform", "DER",
            "-recip", otherCertificate, "-recip", files.certificate,
        ])
        for extra in [[], ["--certificate", files.certificate]] {
            let result = await CommandHarness.run(["token", "decrypt", "--key", files.key, token] + extra)
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output == Self.credentials.tokenJSON + "\n")
        }
        let mismatch = await CommandHarness.run([
            "token", "decrypt", "--key", files.key, "--certificate", otherCertificate, token,
        ])
        #expect(mismatch.error.hasPrefix("error [key_certificate_mismatch]: "))
    }
}
