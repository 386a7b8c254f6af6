import ADECore
public import Crypto
import Foundation

/// The `X-ADE-Signature` header of a webhook delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256>` over
/// `"<t>.<body>"` with the endpoint's secret. A receiver recomputes it, compares in constant time, and refuses
/// timestamps far from its clock (replays).
public enum WebhookSignature {
    /// The header's name.
    public static let headerName = "X-ADE-Signature"

    /// The header value for a body sent at `timestamp`.
    public static func header(secret: SymmetricKey, timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(mac(secret: secret, timestamp: timestamp, body: body).hexString)"
    }

    /// Whether a header is valid for the body and no further than `tolerance` seconds from `now`.
    public static func verify(
        _ header: String,
        body: [UInt8],
        secret: SymmetricKey,
        now: Int,
        tolerance: Int = 300
    ) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = mac(secret: secret, timestamp: timestamp, body: body)
        return signatures.contains { signature in
            guard let bytes = bytes(hex: signature) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(
                bytes,
                authenticating: Self.signed(timestamp, body),
                using: secret
            )
                && bytes.count == expected.count
        }
    }

    static func mac(secret: SymmetricKey, timestamp: Int, body: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: signed(timestamp, body), using: secret))
    }

    static func signed(_ timestamp: Int, _ body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
