import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which addresses deliveries may reach: public ones only, unless an endpoint allows private networks. Refuses
/// loopback, link-local (cloud metadata services live there), private and unique-local ranges, carrier-grade NAT,
/// multicast, the unspecified address, the ranges reserved for protocols and documentation, every IPv6 form that
/// carries an IPv4 address judged as that address, and the addresses of this host's own interfaces, so that a
/// webhook URL or a mail server cannot be used to probe the server's own network.
public enum NetworkPolicy {
    /// Whether deliveries may reach an address (4 bytes for IPv4, 16 for IPv6, network order): it is public and
    /// not one of this host's own.
    public static func isAllowed(_ address: [UInt8]) -> Bool {
        isPublic(address) && !localAddresses().contains(address)
    }

    /// Whether an address (4 bytes for IPv4, 16 for IPv6, network order) is on the public internet.
    public static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: return isPublic(ipv4: address)
        case 16: return isPublic(ipv6: address)
        default: return false
        }
    }

    static func isPublic(ipv4 b: [UInt8]) -> Bool {
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false  // unspecified, private, loopback
        case (100, 64...127, _): return false  // carrier-grade NAT
        case (169, 254, _): return false  // link-local, cloud metadata
        case (172, 16...31, _): return false
        case (192, 168, _): return false
        case (192, 0, 0): return false  // IETF protocol assignments (192.0.0.0/24)
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return false  // documentation (TEST-NET-1, 2, 3)
        case (192, 88, 99): return false  // 6to4 relay anycast
        case (198, 18...19, _): return false  // benchmarking
        case (224...255, _, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }

    static func isPublic(ipv6 b: [UInt8]) -> Bool {
        let embedded = Array(b[12..<16])
        // ::a.b.c.d (IPv4-compatible, which holds :: and ::1 as 0.0.0.0 and 0.0.0.1), ::ffff:a.b.c.d (mapped) and
        // ::ffff:0:a.b.c.d (translated): the IPv4 address decides.
        if b[0..<10].allSatisfy({ $0 == 0 }) {
            switch (b[10], b[11]) {
            case (0, 0), (0xFF, 0xFF): return isPublic(ipv4: embedded)
            default: break
            }
        }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0 {
            return isPublic(ipv4: embedded)
        }
        // 64:ff9b::/96, NAT64's well-known prefix: the IPv4 address decides; 64:ff9b:1::/48 is for local use.
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
            if b[4..<12].allSatisfy({ $0 == 0 }) { return isPublic(ipv4: embedded) }
            if b[4] == 0 && b[5] == 1 { return false }
        }
        // 2002::/16, 6to4: the IPv4 address is in bytes 2 to 5.
        if b[0] == 0x20 && b[1] == 0x02 { return isPublic(ipv4: Array(b[2..<6])) }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return false }  // 2001::/32, Teredo
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return false }  // 2001:db8::/32, docs
        if b[0] == 0x01 && b[1] == 0x00 && b[2..<8].allSatisfy({ $0 == 0 }) { return false }  // 100::/64, discard
        if b[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return false }  // fec0::/10, site-local (deprecated)
        if b[0] == 0xFF { return false }  // multicast
        return true
    }

    /// The addresses of this host's network interfaces (a public address the server itself holds included).
    static func localAddresses() -> Set<[UInt8]> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: Set<[UInt8]> = []
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            if let address = current.pointee.ifa_addr, let bytes = bytes(of: address) { addresses.insert(bytes) }
            entry = current.pointee.ifa_next
        }
        return addresses
    }

    /// The bytes of an IPv4 or IPv6 socket address.
    static func bytes(of address: UnsafeMutablePointer<sockaddr>) -> [UInt8]? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
        default:
            return nil
        }
    }

    /// An address (4 or 16 bytes, network order) as text: `192.0.2.1`, `2001:db8::1`.
    static func text(_ address: [UInt8]) -> String? {
        let family: Int32
        switch address.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = address.withUnsafeBytes { bytes in
            inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every address a host name resolves to, by the system resolver (blocking: call it off the event loops).
    static func resolveBlocking(host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr, let bytes = bytes(of: address) { addresses.append(bytes) }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
