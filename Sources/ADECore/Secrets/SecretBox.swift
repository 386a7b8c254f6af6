import Crypto
public import Foundation
import Synchronization

/// Encrypts secrets at rest with AES-256-GCM under the ``MasterKey``.
///
/// A sealed value is `version (1 byte) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. Each seal names its context (what the
/// secret is and whose: `token/42/consumer_secret`), bound as associated data, so a sealed value copied onto another
/// record does not open there.
///
/// Copies of a box share its key: when `ade key rotate` runs beside `ade serve`, the server's ``MasterKeyWatcher``
/// gives every copy the new key at once (``replaceKey(_:)``). An operation that seals several values and stores them
/// together works on a ``pinned()`` box, whose key cannot change under it, and stores them with ``keyCheck``, so that
/// the store refuses what was sealed under a key that is no longer the database's.
public struct SecretBox: Sendable {
    static let version: UInt8 = 1

    /// The key that seals, and the one before it, which still opens what was read before a rotation.
    private final class Keys: Sendable {
        let keys: Mutex<(current: MasterKey, previous: MasterKey?)>
        init(current: MasterKey, previous: MasterKey?) { keys = Mutex((current, previous)) }
    }

    private let keys: Keys

    /// Creates a box for a key.
    public init(key: MasterKey) {
        keys = Keys(current: key, previous: nil)
    }

    /// The key-check value of the key the box seals with.
    public var keyCheck: String { keys.keys.withLock { $0.current.checkValue } }

    /// A box whose key stays the one this box has now, whatever ``replaceKey(_:)`` does to this one later.
    public func pinned() -> SecretBox {
        let (current, previous) = keys.keys.withLock { ($0.current, $0.previous) }
        return SecretBox(keys: Keys(current: current, previous: previous))
    }

    private init(keys: Keys) {
        self.keys = keys
    }

    /// Seals with `key` from now on, in every copy of this box; what the old key sealed still opens.
    public func replaceKey(_ key: MasterKey) {
        keys.keys.withLock { keys in
            guard keys.current.checkValue != key.checkValue else { return }
            keys = (key, keys.current)
        }
    }

    /// Encrypts bytes for a context.
    public func seal(_ plaintext: some DataProtocol, context: String) -> [UInt8] {
        let key = keys.keys.withLock { $0.current }
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
            let (current, previous) = keys.keys.withLock { ($0.current, $0.previous) }
            for key in [current, previous].compactMap({ $0 }) {
                if let opened = try? AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8)) {
                    return Array(opened)
                }
            }
            throw SecretError(.sealedDataCorrupt)
        } catch let error as SecretError {
            throw error
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
