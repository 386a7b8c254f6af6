public import Foundation

extension OAuthCredentials {
    /// The JSON keys of a token payload, in the order ABM writes them.
    public enum Field: String, CaseIterable, Sendable {
        case consumerKey = "consumer_key"
        case consumerSecret = "consumer_secret"
        case accessToken = "access_token"
        case accessSecret = "access_secret"
        case accessTokenExpiry = "access_token_expiry"
    }

    /// Reads the decrypted payload of a server token.
    ///
    /// Tolerates everything ABM and Apple's documentation show: a MIME header block, `-----BEGIN MESSAGE-----` /
    /// `-----END MESSAGE-----` markers, CRLF or LF, and JSON hard-wrapped in the middle of strings (lines are
    /// joined with no separator). Unknown JSON keys are ignored.
    /// - Throws: `payload_malformed`, `field_missing` or `field_invalid`, naming the field but never a value.
    public init(payload: some Collection<UInt8>) throws {
        guard let text = String(validating: Array(payload), as: UTF8.self) else {
            throw ServerTokenError(.payloadMalformed, reason: "payload is not UTF-8")
        }
        var lines = MIMEText.bodyLines(of: text)
        if let begin = lines.firstIndex(where: { $0.contains("-----BEGIN MESSAGE-----") }) {
            lines = lines[(begin + 1)...]
            if let end = lines.firstIndex(where: { $0.contains("-----END MESSAGE-----") }) {
                lines = lines[..<end]
            }
        }
        let json = lines.joined().trimmingCharacters(in: .whitespacesAndNewlines)
        let raw: RawPayload
        do {
            raw = try JSONDecoder().decode(RawPayload.self, from: Data(json.utf8))
        } catch {
            throw ServerTokenError(.payloadMalformed, reason: "payload is not a JSON object of strings")
        }
        func required(_ field: Field, _ value: String?) throws -> String {
            guard let value, !value.isEmpty else {
                throw ServerTokenError(
                    .fieldMissing,
                    parameters: ["field": field.rawValue],
                    reason: "payload has no \(field.rawValue)"
                )
            }
            return value
        }
        let consumerKey = try required(.consumerKey, raw.consumer_key)
        let consumerSecret = try required(.consumerSecret, raw.consumer_secret)
        let accessToken = try required(.accessToken, raw.access_token)
        let accessSecret = try required(.accessSecret, raw.access_secret)
        let expiryText = try required(.accessTokenExpiry, raw.access_token_expiry)
        guard let expiry = Self.parseTimestamp(expiryText) else {
            throw ServerTokenError(
                .expiryInvalid,
                parameters: ["field": Field.accessTokenExpiry.rawValue, "value": String(expiryText.prefix(64))],
                reason: "access_token_expiry is not an RFC 3339 time"
            )
        }
        self.init(
            consumerKey: consumerKey,
            consumerSecret: consumerSecret,
            accessToken: accessToken,
            accessSecret: accessSecret,
            accessTokenExpiry: expiry
        )
    }

    /// The JSON object exactly as a token file holds it: the five keys in ABM's order, on one line, the expiry as
    /// RFC 3339 UTC with whole seconds.
    public var tokenJSON: String {
        let values: [(Field, String)] = [
            (.consumerKey, consumerKey), (.consumerSecret, consumerSecret), (.accessToken, accessToken),
            (.accessSecret, accessSecret), (.accessTokenExpiry, Self.formatTimestamp(accessTokenExpiry)),
        ]
        let members = values.map { "\(Self.jsonString($0.0.rawValue)):\(Self.jsonString($0.1))" }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The decrypted payload as ABM writes it: MIME headers with CRLF, a blank line, and the JSON between
    /// `-----BEGIN MESSAGE-----` and `-----END MESSAGE-----`.
    public var tokenPayload: [UInt8] {
        let text =
            "Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            + "-----BEGIN MESSAGE-----\n\(tokenJSON)\n-----END MESSAGE-----\n"
        return Array(text.utf8)
    }

    /// Formats a time the way token files and Apple's service write it: `2026-01-17T11:02:21Z`.
    public static func formatTimestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// Parses an RFC 3339 time strictly (``RFC3339Timestamp``), with or without fractional seconds.
    public static func parseTimestamp(_ text: String) -> Date? {
        RFC3339Timestamp.parse(text)
    }

    private static func jsonString(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding a String cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// The payload's JSON, every field optional so that a missing one is reported by name.
    private struct RawPayload: Decodable {
        var consumer_key: String?
        var consumer_secret: String?
        var access_token: String?
        var access_secret: String?
        var access_token_expiry: String?
    }
}
