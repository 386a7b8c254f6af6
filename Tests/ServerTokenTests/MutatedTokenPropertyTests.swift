import ADETesting
import Foundation
import PropertyBased
import ServerToken
import Testing

/// Thousands of mutated tokens: each either decrypts or is refused with a ``ServerTokenError``; nothing crashes,
/// hangs or throws anything else.
struct MutatedTokenPropertyTests {
    typealias Sample = Fixtures.SampleToken

    enum Mutation: Int, CaseIterable {
        case flipBit, setByte, deleteRange, insertBytes, duplicateRange, truncate, swapLength
    }

    /// Applies a mutation at positions derived from `seed`.
    static func mutate(_ bytes: [UInt8], _ mutation: Mutation, at position: Int, value: UInt8, length: Int) -> [UInt8] {
        var bytes = bytes
        guard !bytes.isEmpty else { return bytes }
        let index = position % bytes.count
        let end = min(bytes.count, index + length)
        switch mutation {
        case .flipBit: bytes[index] ^= 1 << (value % 8)
        case .setByte: bytes[index] = value
        case .deleteRange: bytes.removeSubrange(index..<end)
        case .insertBytes: bytes.insert(contentsOf: repeatElement(value, count: length), at: index)
        case .duplicateRange: bytes.insert(contentsOf: bytes[index..<end], at: end)
        case .truncate: bytes.removeSubrange(index...)
        case .swapLength:
            // Rewrite a byte to an indefinite-length or long-form length marker, the parser's hardest cases.
            bytes[index] = [0x80, 0x81, 0x82, 0x84, 0xFF][Int(value) % 5]
        }
        return bytes
    }

    private static func check(_ file: [UInt8], with decryptor: ServerTokenDecryptor) {
        do {
            _ = try decryptor.decrypt(file)
        } catch is ServerTokenError {
        } catch {
            Issue.record("mutation raised \(type(of: error)), not ServerTokenError")
        }
    }

    /// Runs `body` on `count` random mutations of `bytes`.
    private static func forEachMutation(
        of bytes: [UInt8],
        count: Int,
        longest: Int,
        _ body: ([UInt8]) -> Void
    ) async {
        await propertyCheck(
            count: count,
            input: Gen<Mutation>.case,
            Gen.int(in: 0...10_000),
            Gen<UInt8>.value(),
            Gen.int(in: 1...longest)
        ) { mutation, position, value, length in
            body(mutate(bytes, mutation, at: position, value: value, length: length))
        }
    }

    @Test func mutatedBERNeverCrashes() async throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let decryptor = ServerTokenDecryptor(privateKey: key)
        let der = try ServerTokenFile.cmsBytes(from: Fixtures.bytes(Sample.tokenPath))
        await Self.forEachMutation(of: der, count: 3000, longest: 64) { Self.check($0, with: decryptor) }
    }

    @Test func mutatedSMIMETextNeverCrashes() async throws {
        let key = try TokenPrivateKey(pemRepresentation: Fixtures.text(Sample.privateKeyPath))
        let decryptor = ServerTokenDecryptor(privateKey: key)
        let file = try Fixtures.bytes(Sample.tokenPath)
        await Self.forEachMutation(of: file, count: 1500, longest: 64) { Self.check($0, with: decryptor) }
    }

    @Test func mutatedPayloadsNeverCrash() async throws {
        // Mutate the payload before encrypting it, so that every mutation reaches the payload parser.
        let pair = try TokenKeyPair.generate(notValidBefore: Date())
        let decryptor = ServerTokenDecryptor(keyPair: pair)
        let encryptor = ServerTokenEncryptor(recipient: pair.certificate)
        await Self.forEachMutation(of: Fixtures.syntheticCredentials.tokenPayload, count: 1000, longest: 16) {
            do {
                Self.check(try encryptor.envelopedData(payload: $0), with: decryptor)
            } catch {
                Issue.record("encryption failed: \(error)")
            }
        }
    }
}
