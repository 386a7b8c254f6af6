import ADETesting
import Foundation
import ServerToken
import Testing

/// Tokens `ade` encrypts (for its simulator) are what ABM issues: openssl reads them, and their BER has ABM's shape.
struct ServerTokenEncryptorTests {
    static let credentials = Fixtures.syntheticCredentials

    private static let pair = Result {
        try TokenKeyPair.generate(notValidBefore: Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test func opensslDecryptsWhatWeEncrypt() throws {
        try TemporaryDirectory.with { directory in
            let pair = try Self.pair.get()
            let token = try ServerTokenEncryptor(recipient: pair.certificate).encrypt(Self.credentials)
            let tokenPath = try directory.write("token.p7m", Array(token.utf8))
            let keyPath = try directory.write("key.pem", Array(pair.privateKey.pemRepresentation.utf8))
            let decrypted = try OpenSSL.run(["smime", "-decrypt", "-in", tokenPath, "-inkey", keyPath])
            #expect(decrypted.output == Self.credentials.tokenPayload)
            let withCertificate = try directory.write("cert.pem", Array(pair.certificate.pemRepresentation.utf8))
            let cms = try OpenSSL.run([
                "cms", "-decrypt", "-in", tokenPath, "-inkey", keyPath, "-recip", withCertificate,
            ])
            #expect(cms.output == Self.credentials.tokenPayload)
        }
    }

    @Test func writesABMsSMIMEHeadersAndLineLength() throws {
        let token = try ServerTokenEncryptor(recipient: Self.pair.get().certificate).encrypt(Self.credentials)
        let sample = try Fixtures.text(Fixtures.SampleToken.tokenPath)
        let headers = { (text: String) in text.components(separatedBy: "\n\n")[0] }
        #expect(headers(token) == headers(sample))
        let lines = token.components(separatedBy: "\n\n")[1].split(separator: "\n")
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.last!.count <= 76)
    }

    @Test func isBERWithIndefiniteLengthsShapedLikeABMs() throws {
        let ours = try ServerTokenEncryptor(recipient: Self.pair.get().certificate).envelopedData(
            payload: Self.credentials.tokenPayload
        )
        let abm = try ServerTokenFile.cmsBytes(from: Fixtures.bytes(Fixtures.SampleToken.tokenPath))
        // The recipient's issuer name (depth 6) is the certificate's own; compare everything around it.
        let ourOutline = try #require(BEROutline.outline(ours)).filter { $0.depth < 7 }
        let abmOutline = try #require(BEROutline.outline(abm)).filter { $0.depth < 7 }
        #expect(ourOutline.filter(\.indefinite).count == 5)
        #expect(ourOutline.map(\.indefinite) == abmOutline.map(\.indefinite))
        #expect(ourOutline.map(\.identifier) == abmOutline.map(\.identifier))
        #expect(ourOutline.map(\.depth) == abmOutline.map(\.depth))

        // And openssl agrees the structure is indefinite-length BER.
        let parsed = try OpenSSL.run(["asn1parse", "-inform", "DER"], input: ours)
        let text = String(decoding: parsed.output, as: UTF8.self)
        #expect(text.components(separatedBy: "l=inf").count - 1 == 5)
        #expect(text.contains(":pkcs7-envelopedData"))
        #expect(text.contains(":rsaEncryption"))
        #expect(text.contains(":aes-128-cbc"))
    }

    @Test(arguments: KeyTransport.allCases, ContentCipher.allCases)
    func roundTripsEveryAlgorithm(keyTransport: KeyTransport, cipher: ContentCipher) throws {
        let pair = try Self.pair.get()
        let encryptor = ServerTokenEncryptor(
            recipient: pair.certificate,
            keyTransport: keyTransport,
            contentCipher: cipher
        )
        let token = try encryptor.encrypt(Self.credentials)
        #expect(try ServerTokenDecryptor(keyPair: pair).decrypt(Array(token.utf8)) == Self.credentials)
    }

    @Test func splitsLargeContentIntoChunks() throws {
        let pair = try Self.pair.get()
        let payload = Self.credentials.tokenPayload + Array(repeating: UInt8(ascii: " "), count: 5000)
        let cms = try ServerTokenEncryptor(recipient: pair.certificate).envelopedData(payload: payload)
        let outline = try #require(BEROutline.outline(cms))
        let content = try #require(outline.lastIndex { $0.identifier == 0xA0 && $0.indefinite })
        let chunks = outline[(content + 1)...]
        #expect(chunks.count == 6)  // Over 5,000 bytes of ciphertext in 1,024-byte chunks.
        #expect(chunks.allSatisfy { $0.identifier == 0x04 && !$0.indefinite })
        #expect(try ServerTokenDecryptor(keyPair: pair).decryptPayload(cms) == payload)
    }
}
