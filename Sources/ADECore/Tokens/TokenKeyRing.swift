public import Foundation
public import ServerToken

/// The key pairs of one enrollment program token, as NanoDEP keeps them: a current pair and at most one staging
/// pair.
///
/// Asking for a new certificate makes a staging pair (replacing an earlier staging pair, never the current one). An
/// uploaded token is tried with the staging pair, then the current one; the staging pair becomes current only when a
/// token decrypts with it. A renewal downloaded for the certificate already in ABM decrypts with the current pair and
/// needs no new certificate.
public struct TokenKeyRing: Sendable {
    /// The pair that decrypted the token in use, if any token was ever uploaded.
    public private(set) var current: TokenKeyPair?
    /// A pair whose certificate was handed out but no token has decrypted with yet.
    public private(set) var staging: TokenKeyPair?

    /// A key ring with the given pairs.
    public init(current: TokenKeyPair? = nil, staging: TokenKeyPair? = nil) {
        self.current = current
        self.staging = staging
    }

    /// The result of decrypting an upload.
    public struct Decryption: Sendable {
        /// What the token holds.
        public var credentials: OAuthCredentials
        /// Whether the staging pair opened it (``TokenKeyRing/promoteStaging()`` then makes it current).
        public var usedStaging: Bool
    }

    /// Makes a new staging pair and returns its certificate, for upload to ABM.
    /// - Parameters:
    ///   - commonName: The certificate's common name.
    ///   - now: The start of validity, from the caller's clock.
    ///   - validityDays: The certificate's validity.
    @discardableResult
    public mutating func makeStagingPair(
        commonName: String,
        now: Date,
        validityDays: Int = TokenKeyPair.defaultValidityDays
    ) throws -> TokenCertificate {
        let pair = try TokenKeyPair.generate(commonName: commonName, notValidBefore: now, validityDays: validityDays)
        staging = pair
        return pair.certificate
    }

    /// The certificate to hand out: the staging pair's while one waits, else the current one's.
    public var certificateForABM: TokenCertificate? {
        (staging ?? current)?.certificate
    }

    /// Decrypts an uploaded token with the staging pair, then the current pair.
    /// - Throws: ``ServerTokenError``: the most telling of the failures (a damaged file says so; only when every
    ///   pair is simply the wrong one is it `no_matching_recipient`). With no pair at all, `no_matching_recipient`.
    public func decrypt(_ file: some Collection<UInt8>) throws -> Decryption {
        var failure: ServerTokenError?
        for (pair, isStaging) in [(staging, true), (current, false)] {
            guard let pair else { continue }
            do {
                // Any recipient the key opens: a key imported from another tool comes with a new certificate, but
                // its tokens name the old one.
                let credentials = try ServerTokenDecryptor(privateKey: pair.privateKey).decrypt(file)
                return Decryption(credentials: credentials, usedStaging: isStaging)
            } catch let error as ServerTokenError {
                // A wrong pair says no_matching_recipient; anything else is about the file and wins.
                if failure == nil || failure?.code == .noMatchingRecipient {
                    failure = error
                }
            }
        }
        throw failure ?? ServerTokenError(.noMatchingRecipient, reason: "the token has no key pair yet")
    }

    /// Makes the staging pair current, once a token decrypted with it.
    public mutating func promoteStaging() {
        guard let staging else { return }
        current = staging
        self.staging = nil
    }
}
