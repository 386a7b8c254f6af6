import Crypto
import SwiftASN1
import X509
import _CryptoExtras

/// Encrypts server tokens exactly as Apple Business Manager does, for the simulator and for tests.
///
/// The output is S/MIME text with ABM's four MIME headers around base64 of a CMS EnvelopedData in ABM's
/// indefinite-length BER form: one key-transport recipient identified by issuer and serial number, RSA PKCS #1 v1.5
/// and AES-128-CBC by default. `openssl smime -decrypt` reads it.
public struct ServerTokenEncryptor: Sendable {
    /// The certificate the token is encrypted to (the one the admin uploaded to ABM).
    public let recipient: TokenCertificate
    /// How the content key is encrypted; ABM uses RSA PKCS #1 v1.5.
    public let keyTransport: KeyTransport
    /// The content cipher; ABM uses AES-128-CBC.
    public let contentCipher: ContentCipher

    /// The size of the encrypted-content chunks. ABM's tokens fit one chunk; larger payloads are split.
    static let chunkSize = 1024

    /// Creates an encryptor.
    public init(
        recipient: TokenCertificate,
        keyTransport: KeyTransport = .rsaPKCS1v15,
        contentCipher: ContentCipher = .aes128CBC
    ) {
        self.recipient = recipient
        self.keyTransport = keyTransport
        self.contentCipher = contentCipher
    }

    /// Encrypts credentials into a token file's text, with the payload ABM writes (``OAuthCredentials/tokenPayload``).
    /// - Throws: `unsupported_key` when the certificate's key is not RSA; `crypto_failure` if the library fails.
    public func encrypt(_ credentials: OAuthCredentials) throws -> String {
        try encrypt(payload: credentials.tokenPayload)
    }

    /// Encrypts any payload into a token file's text (tests use it for malformed payloads).
    public func encrypt(payload: [UInt8]) throws -> String {
        ServerTokenFile.smimeText(cms: try envelopedData(payload: payload))
    }

    /// Encrypts a payload into the BER bytes of a CMS `ContentInfo` holding `EnvelopedData`.
    public func envelopedData(payload: [UInt8]) throws -> [UInt8] {
        let publicKey = try recipient.rsaPublicKey()
        var contentKey = [UInt8](repeating: 0, count: contentCipher.keyByteCount)
        var iv = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in contentKey.indices { contentKey[index] = generator.next() }
        for index in iv.indices { iv[index] = generator.next() }

        do {
            let encryptedKey = try publicKey.encrypt(contentKey, padding: keyTransport.padding)
            let ciphertext = try contentCipher.encrypt(payload, key: contentKey, iv: iv)
            let recipientInfo = CMSKeyTransRecipientInfo(
                version: 0,
                recipient: .issuerAndSerialNumber(
                    issuer: recipient.issuerBytes,
                    serialNumber: Array(recipient.certificate.serialNumber.bytes)
                ),
                keyEncryptionAlgorithm: keyTransport.algorithmIdentifier,
                encryptedKey: Array(encryptedKey)
            )
            let cipherIdentifier = CMSAlgorithmIdentifier(
                algorithm: contentCipher.objectIdentifier,
                parameters: try ASN1Any(erasing: ASN1OctetString(contentBytes: iv[...]))
            )
            return try Self.frame(recipient: recipientInfo, cipher: cipherIdentifier, ciphertext: ciphertext)
        } catch let error as ServerTokenError {
            throw error
        } catch {
            throw ServerTokenError(.cryptoFailure, reason: "token encryption failed: \(type(of: error))")
        }
    }

    /// Writes ABM's layout: every structure from `ContentInfo` down to the encrypted content opens with an
    /// indefinite length; the recipient set and algorithm identifiers are definite.
    private static func frame(
        recipient: CMSKeyTransRecipientInfo,
        cipher: CMSAlgorithmIdentifier,
        ciphertext: [UInt8]
    ) throws -> [UInt8] {
        let explicitZero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        var writer = BERIndefiniteLengthWriter()
        try writer.constructed(.sequence) { contentInfo in
            try contentInfo.append(CMSObjectIdentifiers.envelopedData)
            try contentInfo.constructed(explicitZero) { explicit in
                try explicit.constructed(.sequence) { enveloped in
                    try enveloped.append(0)
                    try enveloped.append(RecipientSet(recipient: recipient))
                    try enveloped.constructed(.sequence) { encryptedContentInfo in
                        try encryptedContentInfo.append(CMSObjectIdentifiers.data)
                        try encryptedContentInfo.append(cipher)
                        try encryptedContentInfo.constructed(CMSEncryptedContentInfo.encryptedContentTag) { chunks in
                            var offset = 0
                            repeat {
                                let end = min(offset + chunkSize, ciphertext.count)
                                try chunks.append(ASN1OctetString(contentBytes: ciphertext[offset..<end]))
                                offset = end
                            } while offset < ciphertext.count
                        }
                    }
                }
            }
        }
        return writer.bytes
    }

    /// `SET OF RecipientInfo` with one member.
    private struct RecipientSet: DERSerializable {
        var recipient: CMSKeyTransRecipientInfo

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .set) { coder in
                try coder.serialize(recipient)
            }
        }
    }
}
