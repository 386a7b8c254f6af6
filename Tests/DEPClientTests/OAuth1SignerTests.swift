import DEPClient
import Foundation
import Testing

struct OAuth1SignerTests {
    /// RFC 5849 §1.2 / OAuth Core 1.0a appendix A: the photos.example.net example.
    @Test func matchesTheRFC5849KnownAnswer() throws {
        let url = try #require(URL(string: "http://photos.example.net/photos?file=vacation.jpg&size=original"))
        let parameters: [(String, String)] = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"),
            ("oauth_version", "1.0"),
        ]
        let base = OAuth1Signer.signatureBaseString(method: "GET", url: url, parameters: parameters)
        #expect(
            base
                == "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        )
        let signature = OAuth1Signer.signature(
            baseString: base,
            consumerSecret: "kd94hf93k423kf44",
            tokenSecret: "pfkkdhi9sl3r4s00"
        )
        #expect(signature == "tR3+Ty81lMeYAr/Fid0kMTYa/WM=")
    }

    @Test func percentEncodesPerRFC3986() {
        #expect(OAuth1Signer.percentEncode("abcABC123-._~") == "abcABC123-._~")
        #expect(OAuth1Signer.percentEncode("a b+c/d=é") == "a%20b%2Bc%2Fd%3D%C3%A9")
    }

    @Test func headerRoundTripsThroughTheParser() throws {
        let url = try #require(URL(string: "https://mdmenrollment.apple.com/session"))
        let header = OAuth1Signer.authorizationHeader(
            method: "GET",
            url: url,
            consumerKey: "CK_1",
            consumerSecret: "CS_2",
            token: "AT_3",
            tokenSecret: "AS_4",
            timestamp: 1_790_000_000,
            nonce: "abc"
        )
        #expect(header.hasPrefix("OAuth realm=\"ADM\", oauth_consumer_key=\"CK_1\""))
        #expect(!header.contains("CS_2") && !header.contains("AS_4"), "secrets sign, they are never sent")
        let parsed = try #require(OAuth1Signer.parseAuthorizationHeader(header))
        #expect(parsed["oauth_token"] == "AT_3")
        #expect(parsed["oauth_signature_method"] == "HMAC-SHA1")
        #expect(parsed["oauth_timestamp"] == "1790000000")
        #expect(parsed["oauth_version"] == "1.0")
        #expect(OAuth1Signer.parseAuthorizationHeader("Basic abc") == nil)
        #expect(OAuth1Signer.parseAuthorizationHeader("OAuth a=\"1\", a=\"2\"") == nil)
    }
}
