import Foundation
import Testing

@testable import ADENotify

#if canImport(Glibc)
import Glibc
#endif

/// Every form an address can take, judged as the address it reaches.
struct NetworkPolicyTests {
    static func bytes(_ text: String) -> [UInt8] {
        if text.contains(":") {
            var address = in6_addr()
            precondition(inet_pton(AF_INET6, text, &address) == 1, text)
            return withUnsafeBytes(of: address) { Array($0) }
        }
        var address = in_addr()
        precondition(inet_pton(AF_INET, text, &address) == 1, text)
        return withUnsafeBytes(of: address) { Array($0) }
    }

    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.1.1", "172.16.0.1", "100.64.0.1", "0.0.0.0",
        "192.0.0.8", "192.0.2.10", "198.51.100.7", "203.0.113.9", "192.88.99.1", "198.18.0.1", "224.0.0.1",
        "255.255.255.255",
        "::", "::1", "::127.0.0.1", "::10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:0:10.0.0.1",
        "::ffff:0:127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:7f00:1::1",
        "2002:a9fe:a9fe::1", "2001::1", "2001:db8::1", "100::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1",
        "ff02::1",
    ])
    func aPrivateOrReservedAddressInAnyFormIsRefused(_ text: String) {
        #expect(!NetworkPolicy.isPublic(Self.bytes(text)), "\(text)")
    }

    @Test(arguments: [
        "8.8.8.8", "17.253.144.10", "1.1.1.1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
        "2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
    ])
    func aPublicAddressInAnyFormIsAllowed(_ text: String) {
        #expect(NetworkPolicy.isPublic(Self.bytes(text)), "\(text)")
    }

    @Test func thisHostsOwnAddressesAreRefused() {
        let own = NetworkPolicy.localAddresses()
        #expect(own.contains(Self.bytes("127.0.0.1")))
        for address in own {
            #expect(!NetworkPolicy.isAllowed(address))
        }
    }
}
