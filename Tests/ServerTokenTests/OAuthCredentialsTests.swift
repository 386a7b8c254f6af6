import Foundation
import ServerToken
import Testing

struct OAuthCredentialsTests {
    /// Apple's documented sample payload: MIME headers, no markers, JSON hard-wrapped in the middle of strings.
    static let appleDocumentationPayload = """
        Content-Type: text/plain;charset=UTF-8
        Content-Transfer-Encoding: 7bit

        {"consumer_key":"CK_48dd68d198350f51258e885ce9a5c37ab7f98543c4a697323d75682a6c10a32501cb247e3db08105db868f73f2c972bdb6ae77112aea803b9219eb52689d42e6","consumer_secret":"CS_34c7b2b531a600d99a0e4edcf4a78ded79b86ef318118c2f5bcfee1b011108c32d5302df801adbe29d446eb78f02b13144e323eb9aad51c79f01e50cb45c3a68","access_token":"AT_927696831c59ba510cfe4ec1a69e5267c19881257d4bca2906a99d0785b785a6f6fdeb09774954fdd5e2d0ad952e3af52c6d8d2f21c924ba0caf4a031c158b89","access_secret":"AS_c31afd7a09691d83548489336e8ff1cb11b82b6bca13f793344496a556b1f4972eaff4dde6deb5ac9cf076fdfa97ec97699c34d515947b9cf9ed31c99dded6ba","access_token_expiry":"2015-01-14T21:27:41Z"}
        """

    @Test func readsJSONHardWrappedInTheMiddleOfStrings() throws {
        let wrapped = Self.hardWrap(Self.appleDocumentationPayload, column: 78)
        #expect(wrapped.split(separator: "\n").count > 8)
        let credentials = try OAuthCredentials(payload: Array(wrapped.utf8))
        #expect(credentials.consumerKey.hasPrefix("CK_48dd68d1") && credentials.consumerKey.hasSuffix("d42e6"))
        #expect(credentials.consumerKey.count == 131)
        #expect(credentials.accessSecret.hasSuffix("dded6ba"))
        #expect(OAuthCredentials.formatTimestamp(credentials.accessTokenExpiry) == "2015-01-14T21:27:41Z")
        #expect(credentials.issuedAt == nil, "Apple's sample access token carries no millisecond stamp")
    }

    @Test func readsBareJSONAndCRLFPayloads() throws {
        let json =
            #"{"consumer_key":"CK_1","consumer_secret":"CS_2","access_token":"AT_O1O2O1389734861908","access_secret":"AS_3","access_token_expiry":"2015-01-14T21:27:41Z","extra":"ignored"}"#
        let bare = try OAuthCredentials(payload: Array(json.utf8))
        #expect(bare.issuedAt == Date(timeIntervalSince1970: 1_389_734_861.908))
        let crlf = "Content-Type: text/plain\r\n\r\n-----BEGIN MESSAGE-----\r\n\(json)\r\n-----END MESSAGE-----\r\n"
        #expect(try OAuthCredentials(payload: Array(crlf.utf8)) == bare)
        let fractional = json.replacingOccurrences(of: "21:27:41Z", with: "21:27:41.500Z")
        #expect(
            try OAuthCredentials(payload: Array(fractional.utf8)).accessTokenExpiry.timeIntervalSince1970
                == 1_421_270_861.5
        )
    }

    @Test func writesTheTokenJSONInABMsKeyOrder() throws {
        let credentials = ServerTokenEncryptorTests.credentials
        #expect(
            credentials.tokenJSON
                == #"{"consumer_key":"CK_0123456789abcdef","consumer_secret":"CS_fedcba9876543210","access_token":"AT_O1234567890Odeadbeef0123O1790000000000","access_secret":"AS_00112233445566778899","access_token_expiry":"2027-09-21T14:13:20Z"}"#
        )
        #expect(try OAuthCredentials(payload: credentials.tokenPayload) == credentials)
        #expect(credentials.issuedAt == Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test func reportsEachMissingFieldByName() throws {
        let complete: [String: String] = [
            "consumer_key": "CK_1", "consumer_secret": "CS_2", "access_token": "AT_3", "access_secret": "AS_4",
            "access_token_expiry": "2027-01-01T00:00:00Z",
        ]
        for field in OAuthCredentials.Field.allCases {
            for value in [nil, ""] as [String?] {
                var object = complete
                object[field.rawValue] = value
                let json = try JSONSerialization.data(withJSONObject: object)
                do {
                    _ = try OAuthCredentials(payload: Array(json))
                    Issue.record("\(field) missing was accepted")
                } catch let error as ServerTokenError {
                    #expect(error.code == .fieldMissing)
                    #expect(error.parameters["field"] == field.rawValue)
                }
            }
        }
    }

    @Test func refusesPayloadsThatAreNotTheTokenMessage() {
        let cases: [[UInt8]] = [
            [], Array("hello".utf8), [0xFF, 0xFE, 0x00], Array(#"["consumer_key"]"#.utf8),
            Array(#"{"consumer_key": 42}"#.utf8), Array("-----BEGIN MESSAGE-----\n{\"a\":\n".utf8),
        ]
        for payload in cases {
            #expect(throws: ServerTokenError(.payloadMalformed, reason: "")) {
                try OAuthCredentials(payload: payload)
            }
        }
        let badDate =
            #"{"consumer_key":"CK","consumer_secret":"CS","access_token":"AT","access_secret":"AS","access_token_expiry":"next year"}"#
        #expect(throws: ServerTokenError(.expiryInvalid, reason: "")) {
            try OAuthCredentials(payload: Array(badDate.utf8))
        }
    }

    @Test func neverDescribesItsSecrets() {
        let credentials = ServerTokenEncryptorTests.credentials
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped, "\([credentials])"] {
            #expect(text.contains(credentials.consumerKey))
            #expect(!text.contains(credentials.consumerSecret))
            #expect(!text.contains(credentials.accessSecret))
            #expect(!text.contains(credentials.accessToken))
        }
    }

    /// Breaks every line of `text` after `column` characters, wherever that falls.
    static func hardWrap(_ text: String, column: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var pieces: [Substring] = []
            var rest = line[...]
            while rest.count > column {
                pieces.append(rest.prefix(column))
                rest = rest.dropFirst(column)
            }
            pieces.append(rest)
            return pieces.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
