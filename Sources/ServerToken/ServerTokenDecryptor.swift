import SwiftASN1
import _CryptoExtras

/// Decrypts ABM/ASM server tokens (`.p7m`) into ``OAuthCredentials``.
///
/// The file may be S/MIME text, PEM armour or raw DER/BER (``ServerTokenFile``); the CMS EnvelopedData may use
/// definite or indefinite lengths; the content key may be transported with RSA PKCS #1 v1.5 or RSA-OAEP (SHA-1,
/// SHA-256); the content may be AES-128/192/256-CBC. When a certificate is given, only the recipient it identifies
/// (by issuer and serial number, or subject key identifier) is tried; without one, every key-transport recipient is
/// tried in order.
public struct ServerTokenDecryptor: Sendable {
    /// The key the token should have been encrypted to.
    public let privateKey: TokenPrivateKey
    /// The certificate of ``privateKey``, used to pick the matching recipient when a token has several.
    public let certificate: TokenCertificate?

    /// Creates a decryptor.
    /// - Parameters:
    ///   - privateKey: The recipient's private key.
    ///   - certificate: Its certificate, if known.
    public init(privateKey: TokenPrivateKey, certificate: TokenCertificate? = nil) {
        self.privateKey = privateKey
        self.certificate = certificate
    }

    /// Creates a decryptor for a key pair.
    public init(keyPair: TokenKeyPair) {
        self.init(privateKey: keyPair.privateKey, certificate: keyPair.certificate)
    }

    /// Decrypts a token file and reads its credentials.
    /// - Parameter file: The file's bytes, as downloaded from ABM.
    /// - Throws: ``ServerTokenError``; its code says which layer failed.
    public func decrypt(_ file: some Collection<UInt8>) throws -> OAuthCredentials {
        try OAuthCredentials(payload: decryptPayload(file))
    }

    /// Decrypts a token file to its raw payload (MIME headers and the JSON message), without reading it.
    public func decryptPayload(_ file: some Collection<UInt8>) throws -> [UInt8] {
        if let certificate, !certificate.matches(privateKey) {
            throw ServerTokenError(.keyCertificateMismatch, reason: "certificate does not hold this key's public half")
        }
        let enveloped = try Self.envelopedData(fromCMS: ServerTokenFile.cmsBytes(from: file))
        let content = enveloped.encryptedContentInfo
        let (cipher, iv) = try ContentCipher.from(content.contentEncryptionAlgorithm)
        guard let ciphertext = content.encryptedContent else {
            throw ServerTokenError(.malformedCMS, reason: "EnvelopedData has no encrypted content (detached)")
        }

        let keyTransportRecipients = enveloped.recipientInfos.compactMap { info -> CMSKeyTransRecipientInfo? in
            if case .keyTransport(let recipient) = info { return recipient }
            return nil
        }
        guard !keyTransportRecipients.isEmpty else {
            let kinds = enveloped.recipientInfos.compactMap { info -> String? in
                if case .other(let kind) = info { return kind }
                return nil
            }
            let name = kinds.first ?? "no recipient"
            throw ServerTokenError(
                .unsupportedAlgorithm,
                parameters: ["algorithm": name, "suggestion": "RSA key transport"],
                reason: "token has no key-transport recipient (\(kinds.joined(separator: ", ")))"
            )
        }

        let candidates: [CMSKeyTransRecipientInfo]
        if let certificate {
            candidates = keyTransportRecipients.filter { certificate.identifies($0.recipient) }
            guard !candidates.isEmpty else {
                throw ServerTokenError(
                    .noMatchingRecipient,
                    parameters: ["recipients": String(keyTransportRecipients.count)],
                    reason: "none of \(keyTransportRecipients.count) recipients names this certificate"
                )
            }
        } else {
            candidates = keyTransportRecipients
        }

        // The first failure worth reporting, in order of how much it tells the admin.
        var unwrapped = false
        var unsupported: ServerTokenError?
        for recipient in candidates {
            let transport: KeyTransport
            do {
                transport = try KeyTransport(recipient.keyEncryptionAlgorithm)
            } catch let error as ServerTokenError {
                unsupported = unsupported ?? error
                continue
            }
            guard let contentKey = try? privateKey.rsaKey.decrypt(recipient.encryptedKey, padding: transport.padding),
                contentKey.count == cipher.keyByteCount
            else {
                continue
            }
            unwrapped = true
            if let plaintext = try? cipher.decrypt(ciphertext, key: Array(contentKey), iv: iv) {
                return plaintext
            }
        }
        if unwrapped || (certificate != nil && unsupported == nil) {
            // The key opened (or the certificate names this recipient) but the content did not decrypt.
            throw ServerTokenError(
                .decryptionFailed,
                parameters: ["algorithm": CMSObjectIdentifiers.name(of: cipher.objectIdentifier)],
                reason: "content does not decrypt with the recipient's key: the token is damaged"
            )
        }
        if let unsupported, candidates.count == 1 || certificate != nil {
            throw unsupported
        }
        throw ServerTokenError(
            .noMatchingRecipient,
            parameters: ["recipients": String(keyTransportRecipients.count)],
            reason: "no recipient's content key decrypts with this private key"
        )
    }

    /// Parses CMS bytes as a `ContentInfo` holding `EnvelopedData`.
    /// - Throws: `malformed_cms` or `not_enveloped_data` (naming the content type found).
    public static func envelopedData(fromCMS cms: [UInt8]) throws -> CMSEnvelopedData {
        let info: CMSContentInfo
        do {
            info = try CMSContentInfo(berEncoded: cms)
        } catch {
            throw ServerTokenError(.malformedCMS, reason: "not a CMS ContentInfo: \(error)")
        }
        guard info.contentType == CMSObjectIdentifiers.envelopedData else {
            let name = CMSObjectIdentifiers.name(of: info.contentType)
            throw ServerTokenError(
                .notEnvelopedData,
                parameters: ["contentType": name],
                reason: "CMS content type is \(name), not envelopedData"
            )
        }
        do {
            return try CMSEnvelopedData(berASN1Any: info.content)
        } catch {
            throw ServerTokenError(.malformedCMS, reason: "EnvelopedData does not parse: \(error)")
        }
    }
}
