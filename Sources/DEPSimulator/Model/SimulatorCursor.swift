import Crypto
import Foundation

/// The simulator's opaque cursor: where a fetch or sync stands, when it was issued, and a MAC so that an altered
/// or foreign cursor is `INVALID_CURSOR`.
struct SimulatorCursor: Sendable, Equatable {
    enum Kind: String, Sendable {
        /// Position is the next device of a full fetch; `seq` is where sync will start after it.
        case fetch = "f"
        /// Position is the next record of the sync stream.
        case sync = "s"
    }

    var kind: Kind
    var server: Int
    var position: Int
    /// Devices of the fetch snapshot: generated ones, then arrivals.
    var generated: Int
    var arrivals: Int
    var seq: Int
    var issued: Date
    var generation: Int

    func encode(key: SymmetricKey) -> String {
        let fields = [
            kind.rawValue, String(server), String(position), String(generated), String(arrivals), String(seq),
            String(Int64(issued.timeIntervalSince1970 * 1000)), String(generation),
        ].joined(separator: ":")
        let mac = HMAC<SHA256>.authenticationCode(for: Data(fields.utf8), using: key)
        let text = fields + ":" + Data(mac.prefix(12)).base64EncodedString()
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String, key: SymmetricKey) -> SimulatorCursor? {
        var padded = text
        while padded.count % 4 != 0 { padded += "=" }
        guard text.count < 4096, let data = Data(base64Encoded: padded),
            let decoded = String(data: data, encoding: .utf8)
        else {
            return nil
        }
        let parts = decoded.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 9 else { return nil }
        let fields = parts.prefix(8).joined(separator: ":")
        let mac = HMAC<SHA256>.authenticationCode(for: Data(fields.utf8), using: key)
        guard Data(mac.prefix(12)).base64EncodedString() == parts[8],
            let kind = Kind(rawValue: String(parts[0])),
            let server = Int(parts[1]), let position = Int(parts[2]), let generated = Int(parts[3]),
            let arrivals = Int(parts[4]), let seq = Int(parts[5]), let issued = Int64(parts[6]),
            let generation = Int(parts[7])
        else {
            return nil
        }
        return SimulatorCursor(
            kind: kind,
            server: server,
            position: position,
            generated: generated,
            arrivals: arrivals,
            seq: seq,
            issued: Date(timeIntervalSince1970: TimeInterval(issued) / 1000),
            generation: generation
        )
    }
}
