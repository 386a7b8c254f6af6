import ADETesting
import Foundation
import ServerToken
import Testing

/// The real-format token ABM issued for petarov/apple-mdm-clients decrypts to its known values.
struct SampleTokenTests {
    typealias Sample = Fixtures.SampleToken

    private func assertSampleValues(_ credentials: OAuthCredentials) {
        #expect(credentials.consumerKey == Sample.consumerKey)
        #expect(credentials.consumerSecret == Sample.consumerSecret)
        #expect(credentials.accessToken == Sample.accessToken)
        #expect(credentials.accessSecret == Sample.accessSecret)
        #expect(credentials.accessTokenExpiry == Sample.accessTokenExpiry)
        #expect(OAuthCredentials.formatTimestamp(credentials.accessTokenExpiry) == "2026-01-17T11:02:21Z")
        #expect(credentials.issuedAt == Sample.issuedAt)
    }

    @Test func decryptsWithItsPKCS1Key() throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let credentials = try ServerTokenDecryptor(privateKey: key).decrypt(Fixtures.bytes(Sample.tokenPath))
        assertSampleValues(credentials)
    }

    @Test func decryptsWithTheKeyInPKCS8() throws {
        let pkcs1 = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        #expect(pkcs1.pemRepresentation.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(pkcs1.pkcs8PEMRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let pkcs8 = try TokenPrivateKey(pemRepresentation: pkcs1.pkcs8PEMRepresentation)
        assertSampleValues(try ServerTokenDecryptor(privateKey: pkcs8).decrypt(Fixtures.bytes(Sample.tokenPath)))
    }

    @Test func picksTheRecipientByIssuerAndSerialNumber() throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let certificate = try TokenCertificate(pemRepresentation: Fixtures.text(Sample.certificatePath))
        let pair = try TokenKeyPair(privateKey: key, certificate: certificate)
        assertSampleValues(try ServerTokenDecryptor(keyPair: pair).decrypt(Fixtures.bytes(Sample.tokenPath)))
    }

    @Test func payloadIsABMsMIMEAndMessageMarkers() throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let payload = try ServerTokenDecryptor(privateKey: key).decryptPayload(Fixtures.bytes(Sample.tokenPath))
        let text = String(decoding: payload, as: UTF8.self)
        #expect(text.hasPrefix("Content-Type: text/plain;charset=UTF-8\r\n"))
        #expect(text.contains("-----BEGIN MESSAGE-----\n{\"consumer_key\""))
        #expect(text.hasSuffix("-----END MESSAGE-----\n"))
    }

    @Test func readsTheTokenAsRawBERAndAsPEMArmour() throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let cms = try ServerTokenFile.cmsBytes(from: Fixtures.bytes(Sample.tokenPath))
        #expect(cms.prefix(2) == [0x30, 0x80], "ABM's token is BER with an indefinite outer length")
        assertSampleValues(try ServerTokenDecryptor(privateKey: key).decrypt(cms))

        let armour =
            "-----BEGIN PKCS7-----\n"
            + Data(cms).base64EncodedString(options: .lineLength64Characters) + "\n-----END PKCS7-----\n"
        assertSampleValues(try ServerTokenDecryptor(privateKey: key).decrypt(Array(armour.utf8)))
        let crlf = try Fixtures.text(Sample.tokenPath).replacingOccurrences(of: "\n", with: "\r\n")
        assertSampleValues(try ServerTokenDecryptor(privateKey: key).decrypt(Array(crlf.utf8)))
    }

    @Test func parsesTheEnvelopeAsABMWritesIt() throws {
        let cms = try ServerTokenFile.cmsBytes(from: Fixtures.bytes(Sample.tokenPath))
        let enveloped = try ServerTokenDecryptor.envelopedData(fromCMS: cms)
        #expect(enveloped.version == 0)
        #expect(enveloped.recipientInfos.count == 1)
        guard case .keyTransport(let recipient) = enveloped.recipientInfos.first else {
            Issue.record("expected a key-transport recipient")
            return
        }
        #expect(try KeyTransport(recipient.keyEncryptionAlgorithm) == .rsaPKCS1v15)
        guard case .issuerAndSerialNumber(_, let serial) = recipient.recipient else {
            Issue.record("expected issuer and serial number")
            return
        }
        #expect(serial == [0x70, 0xFE, 0xDD, 0xC7, 0xD5, 0xAF, 0xA3, 0x93])
        let (cipher, iv) = try ContentCipher.from(enveloped.encryptedContentInfo.contentEncryptionAlgorithm)
        #expect(cipher == .aes128CBC)
        #expect(iv.count == 16)
        #expect(enveloped.encryptedContentInfo.encryptedContent?.count == 512)
    }
}
