import Crypto
public import Foundation

/// OAuth 1.0a HMAC-SHA1 signing (RFC 5849), as Apple's `GET /session` requires.
public enum OAuth1Signer {
    /// RFC 3986 percent-encoding: everything but `A–Z a–z 0–9 - . _ ~` (RFC 5849 §3.6).
    public static func percentEncode(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// The signature base string: method, base URL and the sorted, encoded parameters (RFC 5849 §3.4.1).
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `GET`.
    ///   - url: The request URL; its query parameters are included in the parameters.
    ///   - parameters: The `oauth_*` parameters (without `oauth_signature` and `realm`) and any body parameters.
    public static func signatureBaseString(method: String, url: URL, parameters: [(String, String)]) -> String {
        let baseURL: String
        let queryItems: [URLQueryItem]
        if var components = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            queryItems = components.percentEncodedQueryItems ?? []
            components.query = nil
            components.fragment = nil
            let scheme = components.scheme?.lowercased()
            components.scheme = scheme
            components.host = components.host?.lowercased()
            if (scheme == "http" && components.port == 80) || (scheme == "https" && components.port == 443) {
                components.port = nil
            }
            baseURL = components.string ?? url.absoluteString
        } else {
            queryItems = []
            baseURL = url.absoluteString
        }

        let decodedQuery: [(String, String)] = queryItems.map { item in
            (item.name.removingPercentEncoding ?? item.name, item.value?.removingPercentEncoding ?? "")
        }
        let encoded: [(name: String, value: String)] = (parameters + decodedQuery).map { pair in
            (percentEncode(pair.0), percentEncode(pair.1))
        }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
        }
        let normalised = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return [method.uppercased(), percentEncode(baseURL), percentEncode(normalised)].joined(separator: "&")
    }

    /// The HMAC-SHA1 signature of a base string, base64 encoded.
    public static func signature(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        let key = SymmetricKey(data: Data("\(percentEncode(consumerSecret))&\(percentEncode(tokenSecret))".utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// The `Authorization: OAuth …` header for a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The request URL.
    ///   - consumerKey: `oauth_consumer_key`.
    ///   - consumerSecret: The consumer secret (signs, never sent).
    ///   - token: `oauth_token`.
    ///   - tokenSecret: The token secret (signs, never sent).
    ///   - timestamp: Seconds since the epoch, from the caller's clock.
    ///   - nonce: A value unique for the timestamp.
    ///   - realm: Apple's examples use `ADM`.
    public static func authorizationHeader(
        method: String,
        url: URL,
        consumerKey: String,
        consumerSecret: String,
        token: String,
        tokenSecret: String,
        timestamp: Int,
        nonce: String,
        realm: String? = "ADM"
    ) -> String {
        let parameters: [(String, String)] = [
            ("oauth_consumer_key", consumerKey),
            ("oauth_token", token),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", String(timestamp)),
            ("oauth_nonce", nonce),
            ("oauth_version", "1.0"),
        ]
        let base = signatureBaseString(method: method, url: url, parameters: parameters)
        let signed =
            parameters + [
                (
                    "oauth_signature",
                    signature(baseString: base, consumerSecret: consumerSecret, tokenSecret: tokenSecret)
                )
            ]
        let fields =
            (realm.map { ["realm=\"\($0)\""] } ?? [])
            + signed.map { "\(percentEncode($0.0))=\"\(percentEncode($0.1))\"" }
        return "OAuth " + fields.joined(separator: ", ")
    }

    /// Reads the parameters of an `Authorization: OAuth …` header (for the simulator, which verifies them).
    /// - Returns: `nil` when the header is not OAuth or a parameter appears twice.
    public static func parseAuthorizationHeader(_ header: String) -> [String: String]? {
        guard header.lowercased().hasPrefix("oauth ") else { return nil }
        var result: [String: String] = [:]
        for field in header.dropFirst(6).split(separator: ",") {
            let pair = field.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let name = String(pair[..<equals])
            var value = String(pair[pair.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            guard result[name] == nil else { return nil }
            result[name] = value.removingPercentEncoding ?? value
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
