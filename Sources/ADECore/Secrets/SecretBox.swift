import Crypto
public import Foundation

/// Encrypts secrets at rest with AES-256-GCM under the ``MasterKey``.
///
/// A sealed value is `version (1 byte) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. Each seal names its context (what the
/// secret is and whose: `token/42/consumer_secret`), bound as associated data, so a sealed value copied onto another
/// record does not open there.
public struct SecretBox: Sendable {
    static let version: UInt8 = 1
    private let key: MasterKey

    /// Creates a box for a key.
    public init(key: MasterKey) {
        self.key = key
    }

    /// Encrypts bytes for a context.
    public func seal(_ plaintext: some DataProtocol, context: String) -> [UInt8] {
        // AES-GCM with a fresh random nonce cannot fail for a 256-bit key.
        let box = try! AES.GCM.seal(
            plaintext,
            using: key.key,
            nonce: AES.GCM.Nonce(),
            authenticating: Data(context.utf8)
        )
        return [Self.version] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
    }

    /// Encrypts text for a context.
    public func seal(_ text: String, context: String) -> [UInt8] {
        seal(Data(text.utf8), context: context)
    }

    /// Decrypts bytes sealed for `context`.
    /// - Throws: `unsupported_version`, or `sealed_data_corrupt` when the data was altered, truncated, sealed for
    ///   another context or with another key.
    public func open(_ sealed: [UInt8], context: String) throws -> [UInt8] {
        guard let version = sealed.first else { throw SecretError(.sealedDataCorrupt) }
        guard version == Self.version else {
            throw SecretError(.unsupportedVersion, parameters: ["version": String(version)])
        }
        guard sealed.count >= 1 + 12 + 16 else { throw SecretError(.sealedDataCorrupt) }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed[1..<13]),
                ciphertext: sealed[13..<(sealed.count - 16)],
                tag: sealed[(sealed.count - 16)...]
            )
            return Array(try AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8)))
        } catch {
            throw SecretError(.sealedDataCorrupt)
        }
    }

    /// The context of a token's secret field (`token/42/credentials`): the same for sealing, opening and rotation.
    public static func context(tokenID: Int64, field: String) -> String {
        "token/\(tokenID)/\(field)"
    }

    /// Decrypts text sealed for `context`.
    public func openString(_ sealed: [UInt8], context: String) throws -> String {
        guard let text = String(validating: try open(sealed, context: context), as: UTF8.self) else {
            throw SecretError(.sealedDataCorrupt)
        }
        return text
    }
}
