import ADECore
import Foundation
import Testing

struct SecretBoxTests {
    @Test func readsOnlyBase64OfExactly32Bytes() throws {
        let key = MasterKey.generate()
        #expect(Data(base64Encoded: key.base64)?.count == 32)
        let again = try MasterKey(base64: " \(key.base64)\n")
        #expect(again.checkValue == key.checkValue)
        let cases: [(String, String)] = [
            ("", "empty"),
            ("not base64!", "not base64"),
            (Data(count: 16).base64EncodedString(), "16 bytes instead of 32"),
            (Data(count: 33).base64EncodedString(), "33 bytes instead of 32"),
        ]
        for (text, problem) in cases {
            do {
                _ = try MasterKey(base64: text)
                Issue.record("\(text) was accepted")
            } catch let error as SecretError {
                #expect(error.code == .invalidMasterKey)
                #expect(error.parameters["problem"] == problem)
            }
        }
    }

    @Test func theCheckValueRecognisesTheKeyWithoutRevealingIt() throws {
        let key = MasterKey.generate()
        let other = MasterKey.generate()
        #expect(key.checkValue.count == 32)
        #expect(key.checkValue != other.checkValue)
        #expect(!key.checkValue.contains(key.base64))
        #expect(key.matches(checkValue: key.checkValue))
        #expect(!other.matches(checkValue: key.checkValue))
        #expect(!key.matches(checkValue: "short"))
        try key.verify(checkValue: key.checkValue)
        #expect(throws: SecretError(.wrongMasterKey)) { try other.verify(checkValue: key.checkValue) }
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains(key.base64))
        }
    }

    @Test func sealsAndOpensForItsContextOnly() throws {
        let box = SecretBox(key: MasterKey.generate())
        let sealed = box.seal("CS_810bb5ab05e53becb3bfbe40b3608a0c9039c457", context: "token/1/consumer_secret")
        #expect(sealed.first == 1)
        #expect(sealed.count == 1 + 12 + 43 + 16)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("CS_"))
        #expect(
            try box.openString(sealed, context: "token/1/consumer_secret")
                == "CS_810bb5ab05e53becb3bfbe40b3608a0c9039c457"
        )
        #expect(box.seal("same", context: "c") != box.seal("same", context: "c"), "a fresh nonce every time")

        #expect(throws: SecretError(.sealedDataCorrupt)) { try box.open(sealed, context: "token/2/consumer_secret") }
        #expect(throws: SecretError(.sealedDataCorrupt)) {
            try SecretBox(key: MasterKey.generate()).open(sealed, context: "token/1/consumer_secret")
        }
        var flipped = sealed
        flipped[20] ^= 1
        #expect(throws: SecretError(.sealedDataCorrupt)) { try box.open(flipped, context: "token/1/consumer_secret") }
        #expect(throws: SecretError(.sealedDataCorrupt)) { try box.open(Array(sealed.prefix(20)), context: "c") }
        #expect(throws: SecretError(.sealedDataCorrupt)) { try box.open([], context: "c") }
        var future = sealed
        future[0] = 2
        #expect(throws: SecretError(.unsupportedVersion)) { try box.open(future, context: "token/1/consumer_secret") }
    }

    @Test func everySecretErrorHasAMessageAndARemedy() throws {
        let english = try #require(MessageCatalogue.bundled.languages["en"])
        for code in SecretError.Code.allCases {
            let error = SecretError(code)
            #expect(english[error.messageKey.rawValue] != nil, "no message for \(code)")
            #expect(english[error.remedyKey.rawValue] != nil, "no remedy for \(code)")
        }
    }
}
