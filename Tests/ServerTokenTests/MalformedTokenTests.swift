import ADETesting
import Foundation
import ServerToken
import Testing
import X509

/// Every kind of bad input ends in a ``ServerTokenError`` with its own code, and no error text holds a secret.
struct MalformedTokenTests {
    typealias Sample = Fixtures.SampleToken

    private func decryptor() throws -> ServerTokenDecryptor {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let certificate = try TokenCertificate(pemRepresentation: Fixtures.text(Sample.certificatePath))
        return ServerTokenDecryptor(privateKey: key, certificate: certificate)
    }

    private func decryptorWithoutCertificate() throws -> ServerTokenDecryptor {
        ServerTokenDecryptor(privateKey: try decryptor().privateKey)
    }

    /// Decrypts and returns the error code, checking that neither the error nor its texts leak a secret.
    private func errorCode(decrypting file: [UInt8], with decryptor: ServerTokenDecryptor) -> ServerTokenError.Code? {
        do {
            _ = try decryptor.decrypt(file)
            return nil
        } catch let error as ServerTokenError {
            for text in [error.description, error.debugDescription, error.reason] + Array(error.parameters.values) {
                for secret in [Sample.consumerSecret, Sample.accessSecret, Sample.accessToken, "CS_", "AS_", "AT_O"] {
                    #expect(!text.contains(secret))
                }
            }
            return error.code
        } catch {
            Issue.record("unexpected error type \(type(of: error))")
            return nil
        }
    }

    private func sampleDER() throws -> [UInt8] {
        try ServerTokenFile.cmsBytes(from: Fixtures.bytes(Sample.tokenPath))
    }

    @Test func emptyFile() throws {
        #expect(errorCode(decrypting: [], with: try decryptor()) == .emptyInput)
        #expect(errorCode(decrypting: Array(" \n\r\n\t".utf8), with: try decryptor()) == .emptyInput)
    }

    @Test(arguments: [240, 300, 500, 800, 1200, 1450, 1520])
    func smimeTextTruncated(at length: Int) throws {
        let file = try Fixtures.bytes(Sample.tokenPath)
        #expect(file.count == 1526)
        #expect(errorCode(decrypting: Array(file.prefix(length)), with: try decryptor()) == .malformedCMS)
    }

    @Test(arguments: [1, 2, 15, 100, 394, 440, 600, 956, 965])
    func derTruncated(at length: Int) throws {
        let der = try sampleDER()
        #expect(errorCode(decrypting: Array(der.prefix(length)), with: try decryptor()) == .malformedCMS)
    }

    @Test func truncatedWithinTheHeaders() throws {
        let file = try Fixtures.bytes(Sample.tokenPath)
        #expect(errorCode(decrypting: Array(file.prefix(120)), with: try decryptor()) == .malformedCMS)
    }

    @Test func bitFlippedCiphertextInTheLastBlock() throws {
        var der = try sampleDER()
        // The encrypted content is the 512-byte OCTET STRING at offset 445 (see `openssl asn1parse`).
        der[445 + 511] ^= 0x01
        #expect(errorCode(decrypting: der, with: try decryptor()) == .decryptionFailed)
    }

    @Test(arguments: [445, 445 + 100, 445 + 300])
    func bitFlippedCiphertextInTheMiddle(at offset: Int) throws {
        var der = try sampleDER()
        der[offset] ^= 0x80
        let code = errorCode(decrypting: der, with: try decryptor())
        #expect(code == .payloadMalformed || code == .decryptionFailed)
    }

    @Test func bitFlippedEncryptedKey() throws {
        var der = try sampleDER()
        der[139 + 128] ^= 0x01  // Inside the 256-byte encrypted content key at offset 139.
        #expect(errorCode(decrypting: der, with: try decryptor()) == .decryptionFailed)
        #expect(errorCode(decrypting: der, with: try decryptorWithoutCertificate()) == .noMatchingRecipient)
    }

    @Test func wrongPrivateKey() throws {
        let other = try TokenKeyPair.generate(notValidBefore: Date())
        let file = try Fixtures.bytes(Sample.tokenPath)
        #expect(
            errorCode(decrypting: file, with: ServerTokenDecryptor(privateKey: other.privateKey))
                == .noMatchingRecipient
        )
        #expect(errorCode(decrypting: file, with: ServerTokenDecryptor(keyPair: other)) == .noMatchingRecipient)
        let sampleCertificate = try TokenCertificate(pemRepresentation: Fixtures.text(Sample.certificatePath))
        let mismatched = ServerTokenDecryptor(privateKey: other.privateKey, certificate: sampleCertificate)
        #expect(errorCode(decrypting: file, with: mismatched) == .keyCertificateMismatch)
    }

    @Test func certificateInsteadOfToken() throws {
        let pem = try Fixtures.bytes(Sample.certificatePath)
        #expect(errorCode(decrypting: pem, with: try decryptor()) == .certificateInsteadOfToken)
        let der = try TokenCertificate(pemRepresentation: String(decoding: pem, as: UTF8.self)).certificate
        let derBytes = try OpenSSL.run(["x509", "-outform", "DER"], input: pem).output
        #expect(der.notValidAfter > Date(timeIntervalSince1970: 0))
        #expect(errorCode(decrypting: derBytes, with: try decryptor()) == .certificateInsteadOfToken)
    }

    @Test func privateKeyInsteadOfToken() throws {
        #expect(
            errorCode(decrypting: try Fixtures.bytes(Sample.privateKeyPath), with: try decryptor())
                == .privateKeyInsteadOfToken
        )
    }

    @Test func validCMSOfAnotherType() throws {
        try TemporaryDirectory.with { directory in
            let data = try directory.write("data.txt", Array("hello".utf8))
            let signed = try OpenSSL.run([
                "cms", "-sign", "-in", data, "-signer", Fixtures.url(Sample.certificatePath).path,
                "-inkey", Fixtures.url(Sample.privateKeyPath).path, "-outform", "DER", "-nodetach",
            ])
            var decryptor = try decryptor()
            do {
                _ = try decryptor.decrypt(signed.output)
                Issue.record("signed data was accepted")
            } catch let error as ServerTokenError {
                #expect(error.code == .notEnvelopedData)
                #expect(error.parameters["contentType"] == "signedData")
            }
            let plain = try OpenSSL.run(["cms", "-data_create", "-in", data, "-outform", "PEM"])
            #expect(errorCode(decrypting: plain.output, with: decryptor) == .notEnvelopedData)
            let smimeSigned = try OpenSSL.run([
                "smime", "-sign", "-in", data, "-signer", Fixtures.url(Sample.certificatePath).path,
                "-inkey", Fixtures.url(Sample.privateKeyPath).path, "-nodetach",
            ])
            decryptor = try decryptorWithoutCertificate()
            #expect(errorCode(decrypting: smimeSigned.output, with: decryptor) == .notEnvelopedData)
        }
    }

    @Test func payloadWithMissingFields() throws {
        let pair = try TokenKeyPair.generate(notValidBefore: Date())
        let payload = Array(
            #"""
            Content-Type: text/plain;charset=UTF-8

            -----BEGIN MESSAGE-----
            {"consumer_key":"CK_1","consumer_secret":"CS_2","access_token":"AT_3","access_token_expiry":"2027-01-01T00:00:00Z"}
            -----END MESSAGE-----
            """#.utf8
        )
        let token = try ServerTokenEncryptor(recipient: pair.certificate).encrypt(payload: payload)
        do {
            _ = try ServerTokenDecryptor(keyPair: pair).decrypt(Array(token.utf8))
            Issue.record("a payload without access_secret was accepted")
        } catch let error as ServerTokenError {
            #expect(error.code == .fieldMissing)
            #expect(error.parameters["field"] == "access_secret")
        }
        let garbage = try ServerTokenEncryptor(recipient: pair.certificate).encrypt(payload: Array("<html>".utf8))
        #expect(
            errorCode(decrypting: Array(garbage.utf8), with: ServerTokenDecryptor(keyPair: pair)) == .payloadMalformed
        )
    }

    @Test func tenMegabytesOfRandomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<(10 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(errorCode(decrypting: random, with: try decryptor()) == .tooLarge)
        // Below the size limit, random bytes still end in a clean refusal.
        for count in [1, 64, 4096, 512 * 1024] {
            var bytes = Array(random.prefix(count))
            let code = errorCode(decrypting: bytes, with: try decryptor())
            #expect(code == .notSMIME || code == .malformedCMS || code == .emptyInput)
            bytes[0] = 0x30  // Looks like a SEQUENCE: the BER parser must refuse it.
            #expect(errorCode(decrypting: bytes, with: try decryptor()) == .malformedCMS)
        }
    }

    @Test func textThatIsNotAToken() throws {
        for text in [
            "hello world", "Subject: hi\n\nnot base64 at all!",
            "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----",
        ] {
            let code = errorCode(decrypting: Array(text.utf8), with: try decryptor())
            #expect(code == .notSMIME || code == .malformedCMS)
        }
        #expect(errorCode(decrypting: Array("aGVsbG8gd29ybGQ=".utf8), with: try decryptor()) == .notSMIME)
    }

    @Test func unsupportedRecipientKinds() throws {
        try TemporaryDirectory.with { directory in
            let data = try directory.write("data.txt", Array("hello".utf8))
            let password = try OpenSSL.run([
                "cms", "-encrypt", "-aes128", "-pwri_password", "pw", "-in", data, "-outform", "DER",
            ])
            do {
                _ = try decryptor().decrypt(password.output)
                Issue.record("a password-encrypted CMS was accepted")
            } catch let error as ServerTokenError {
                #expect(error.code == .unsupportedAlgorithm)
                #expect(error.parameters["algorithm"]?.contains("password") == true)
            }
        }
    }
}
