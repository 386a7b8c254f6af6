import ADETesting
import Foundation
import ServerToken
import SwiftASN1
import Testing
import X509
import _CryptoExtras

struct TokenKeyPairTests {
    private let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func generatesAnRSA2048SelfSignedCertificateForABM() throws {
        let pair = try TokenKeyPair.generate(commonName: "Contoso MDM", notValidBefore: start, validityDays: 30)
        let certificate = pair.certificate.certificate
        #expect(pair.certificate.commonName == "Contoso MDM")
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.version == .v3)
        #expect(pair.certificate.notValidBefore == start)
        #expect(pair.certificate.notValidAfter == start.addingTimeInterval(30 * 86_400))
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))

        let usage = try #require(try certificate.extensions.keyUsage)
        #expect(usage.keyEncipherment && usage.digitalSignature)
        #expect(!usage.keyCertSign && !usage.dataEncipherment)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try certificate.extensions.subjectKeyIdentifier != nil)
        #expect(try pair.certificate.rsaPublicKey().keySizeInBits == 2048)
        #expect(pair.certificate.matches(pair.privateKey))
    }

    @Test func roundTripsThroughPEM() throws {
        let pair = try TokenKeyPair.generate(notValidBefore: start)
        let certificate = try TokenCertificate(pemRepresentation: pair.certificate.pemRepresentation)
        let key = try TokenPrivateKey(pemRepresentation: pair.privateKey.pemRepresentation)
        let pkcs8 = try TokenPrivateKey(pemRepresentation: pair.privateKey.pkcs8PEMRepresentation)
        #expect(certificate == pair.certificate)
        #expect(certificate.commonName == TokenKeyPair.defaultCommonName)
        #expect(certificate.notValidAfter == start.addingTimeInterval(730 * 86_400))
        #expect(certificate.matches(key) && certificate.matches(pkcs8))
        _ = try TokenKeyPair(privateKey: pkcs8, certificate: certificate)
    }

    @Test func refusesOutOfRangeParameters() {
        #expect(throws: ServerTokenError(.invalidParameter, reason: "")) {
            try TokenKeyPair.generate(commonName: "", notValidBefore: start)
        }
        #expect(throws: ServerTokenError(.invalidParameter, reason: "")) {
            try TokenKeyPair.generate(commonName: String(repeating: "x", count: 65), notValidBefore: start)
        }
        for days in [0, -1, 3651] {
            #expect(throws: ServerTokenError(.invalidParameter, reason: "")) {
                try TokenKeyPair.generate(notValidBefore: start, validityDays: days)
            }
        }
    }

    @Test func refusesACertificateOfAnotherKey() throws {
        let first = try TokenKeyPair.generate(notValidBefore: start)
        let second = try TokenKeyPair.generate(notValidBefore: start)
        #expect(throws: ServerTokenError(.keyCertificateMismatch, reason: "")) {
            try TokenKeyPair(privateKey: first.privateKey, certificate: second.certificate)
        }
    }

    @Test func refusesKeysThatAreNotUsableRSAKeys() throws {
        #expect(throws: ServerTokenError(.invalidPrivateKey, reason: "")) {
            try TokenPrivateKey(pemRepresentation: "not a key")
        }
        #expect(throws: ServerTokenError(.invalidPrivateKey, reason: "")) {
            try TokenPrivateKey(pemRepresentation: Fixtures.text(Fixtures.SampleToken.certificatePath))
        }
        #expect(throws: ServerTokenError(.invalidPrivateKey, reason: "")) {
            try TokenPrivateKey(
                pemRepresentation: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
            )
        }
        let encrypted = try OpenSSL.run(
            ["pkcs8", "-topk8", "-passout", "pass:secret", "-v2", "aes-256-cbc"],
            input: Fixtures.bytes(Fixtures.SampleToken.privateKeyPath)
        )
        #expect(throws: ServerTokenError(.invalidPrivateKey, reason: "")) {
            try TokenPrivateKey(pemRepresentation: String(decoding: encrypted.output, as: UTF8.self))
        }
        let ec = try OpenSSL.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        #expect(throws: ServerTokenError(.unsupportedKey, reason: "")) {
            try TokenPrivateKey(pemRepresentation: String(decoding: ec.output, as: UTF8.self))
        }
        let small = try OpenSSL.run(["genrsa", "1024"])
        #expect(throws: ServerTokenError(.unsupportedKey, reason: "")) {
            try TokenPrivateKey(pemRepresentation: String(decoding: small.output, as: UTF8.self))
        }
    }

    @Test func privateKeyNeverDescribesItsMaterial() throws {
        let pair = try TokenKeyPair.generate(notValidBefore: start)
        let body = pair.privateKey.pemRepresentation.split(separator: "\n")[1]
        var dumped = ""
        dump(pair.privateKey, to: &dumped)
        for text in ["\(pair.privateKey)", String(reflecting: pair.privateKey), dumped, "\(pair)"] {
            #expect(!text.contains(body))
            #expect(!text.contains("BEGIN"))
        }
    }
}

extension TokenKeyPairTests {
    @Test func certifiesAnImportedKeySoItsTokensStillDecrypt() throws {
        let original = try TokenKeyPair.generate(commonName: "nanodep", notValidBefore: start)
        let token = try ServerTokenEncryptor(recipient: original.certificate).encrypt(
            payload: Fixtures.syntheticCredentials.tokenPayload
        )
        let imported = try TokenKeyPair.certify(
            original.privateKey,
            commonName: "ade",
            notValidBefore: start,
            validityDays: 10
        )
        #expect(imported.certificate != original.certificate)
        #expect(imported.certificate.commonName == "ade")
        #expect(imported.certificate.matches(original.privateKey))
        #expect(
            try ServerTokenDecryptor(privateKey: imported.privateKey).decrypt(Array(token.utf8))
                == Fixtures.syntheticCredentials
        )
        #expect(throws: ServerTokenError(.invalidParameter, reason: "")) {
            try TokenKeyPair.certify(original.privateKey, commonName: "", notValidBefore: start)
        }
    }
}
