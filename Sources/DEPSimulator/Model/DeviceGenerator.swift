import ADESupport
import DEPClient
import Foundation

/// Makes an MDM server's devices from a seed, on demand: device `i` is always the same device, and its serial
/// number maps back to `i`, so a million devices need no million objects in memory.
///
/// Serials are 12 characters: a 3-character prefix of the server, then a bijective scramble of the index in base 34
/// (9 digits of Apple's alphabet), so they look like Apple's and never collide between servers of one simulator.
struct DeviceGenerator: Sendable {
    /// Apple's serial alphabet: digits and capitals without I and O.
    static let digits = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
    static let base = UInt64(digits.count)
    /// 34^9: the index space of the scramble.
    static let modulus: UInt64 = 60_716_992_766_464

    let prefix: [UInt8]
    let seed: UInt64
    private let multiplier: UInt64
    private let inverse: UInt64
    private let increment: UInt64
    /// When the first device was assigned; later ones follow every few minutes.
    let epoch: Date
    let assignedBy: String

    init(seed: UInt64, serverNumber: Int, assignedBy: String, epoch: Date) {
        self.seed = seed
        var random = SeededRandom(seed: seed, 0x5E21A1, UInt64(serverNumber))
        let letters = Array("CDFGHJKLMNPQRTVWXY".utf8)
        prefix = [
            letters[Int(random.next() % UInt64(letters.count))],
            Self.digits[Int(random.next() % 10)],
            letters[serverNumber % letters.count],
        ]
        // A multiplier coprime with 34^9 (neither even nor a multiple of 17) makes i ↦ a·i + b a bijection.
        var multiplier = random.next() % Self.modulus
        while multiplier % 2 == 0 || multiplier % 17 == 0 { multiplier += 1 }
        self.multiplier = multiplier % Self.modulus
        self.inverse = Self.modularInverse(self.multiplier, Self.modulus)
        self.increment = random.next() % Self.modulus
        self.assignedBy = assignedBy
        self.epoch = epoch
    }

    /// The serial number of device `index`.
    func serial(_ index: Int) -> String {
        var bytes = prefix
        bytes.reserveCapacity(12)
        appendScrambled(index, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the serial of device `index` into a byte buffer (the fast path of page serving).
    func appendSerial(_ index: Int, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: prefix)
        appendScrambled(index, to: &bytes)
    }

    private func appendScrambled(_ index: Int, to bytes: inout [UInt8]) {
        var value = Self.mulmod(multiplier, UInt64(index), Self.modulus)
        value = (value + increment) % Self.modulus
        var digits = [UInt8](repeating: Self.digits[0], count: 9)
        for position in stride(from: 8, through: 0, by: -1) {
            digits[position] = Self.digits[Int(value % Self.base)]
            value /= Self.base
        }
        bytes.append(contentsOf: digits)
    }

    /// The index of a serial of this server, or `nil`.
    func index(of serial: String) -> Int? {
        let bytes = Array(serial.utf8)
        guard bytes.count == 12, Array(bytes[0..<3]) == prefix else { return nil }
        var value: UInt64 = 0
        for byte in bytes[3...] {
            guard let digit = Self.digits.firstIndex(of: byte) else { return nil }
            value = value * Self.base + UInt64(digit)
        }
        let unshifted = (value + Self.modulus - increment) % Self.modulus
        let index = Self.mulmod(inverse, unshifted, Self.modulus)
        return index < UInt64(Int.max) ? Int(index) : nil
    }

    /// The fixed attributes of device `index`.
    func attributes(_ index: Int) -> Attributes {
        var random = SeededRandom(seed: seed, 0xDE71CE, UInt64(index), UInt64(prefix[0]) << 8 | UInt64(prefix[2]))
        let roll = random.next() % 100
        let kind: Kind
        switch roll {
        case 0..<55: kind = .iPhone
        case 55..<75: kind = .iPad
        case 75..<95: kind = .mac
        case 95..<98: kind = .appleTV
        default: kind = .vision
        }
        let model = kind.models[Int(random.next() % UInt64(kind.models.count))]
        let color = kind.colors[Int(random.next() % UInt64(kind.colors.count))]
        return Attributes(
            family: kind.family,
            os: kind.os,
            model: model,
            color: color,
            description: "\(model.uppercased()) \(color.uppercased())",
            assignedDate: epoch.addingTimeInterval(TimeInterval(index) * 97 + TimeInterval(random.next() % 60))
        )
    }

    /// What never changes about a device.
    struct Attributes: Sendable {
        var family: DeviceFamily
        var os: OperatingSystem
        var model: String
        var color: String
        var description: String
        var assignedDate: Date
    }

    enum Kind {
        case iPhone, iPad, mac, appleTV, vision

        var family: DeviceFamily {
            switch self {
            case .iPhone: return .iPhone
            case .iPad: return .iPad
            case .mac: return .mac
            case .appleTV: return .appleTV
            case .vision: return .vision
            }
        }

        var os: OperatingSystem {
            switch self {
            case .iPhone: return .iOS
            case .iPad: return .iPadOS
            case .mac: return .macOS
            case .appleTV: return .tvOS
            case .vision: return .visionOS
            }
        }

        var models: [String] {
            switch self {
            case .iPhone: return ["iPhone 15", "iPhone 16", "iPhone 16 Pro", "iPhone 17", "iPhone SE"]
            case .iPad: return ["iPad (10th generation)", "iPad Air", "iPad Pro 13-inch", "iPad mini"]
            case .mac: return ["MacBook Air", "MacBook Pro", "iMac", "Mac mini", "Mac Studio"]
            case .appleTV: return ["Apple TV 4K"]
            case .vision: return ["Apple Vision Pro"]
            }
        }

        var colors: [String] {
            switch self {
            case .iPhone, .iPad: return ["Black", "White", "Blue", "Starlight"]
            case .mac: return ["Space Gray", "Silver", "Midnight"]
            case .appleTV, .vision: return ["Black", "Silver"]
            }
        }
    }

    // MARK: - Arithmetic modulo 34^9

    static func mulmod(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return m.dividingFullWidth((high % m, low)).remainder
    }

    static func modularInverse(_ a: UInt64, _ m: UInt64) -> UInt64 {
        var (oldR, r) = (Int128(a), Int128(m))
        var (oldS, s) = (Int128(1), Int128(0))
        while r != 0 {
            let quotient = oldR / r
            (oldR, r) = (r, oldR - quotient * r)
            (oldS, s) = (s, oldS - quotient * s)
        }
        let result = oldS % Int128(m)
        return UInt64(result < 0 ? result + Int128(m) : result)
    }
}
