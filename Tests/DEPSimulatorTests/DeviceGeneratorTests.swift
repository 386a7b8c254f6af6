import Foundation
import Testing

@testable import DEPSimulator

struct DeviceGeneratorTests {
    let generator = DeviceGenerator(
        seed: 42,
        serverNumber: 3,
        assignedBy: "a@b.example",
        epoch: Date(timeIntervalSince1970: 0)
    )

    @Test func serialsMapBackToTheirIndex() {
        for index in [0, 1, 2, 7, 99, 1000, 123_456, 999_999, 5_000_000] {
            let serial = generator.serial(index)
            #expect(serial.count == 12)
            #expect(serial.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) && $0 != "I" && $0 != "O" })
            #expect(generator.index(of: serial) == index, "\(serial)")
        }
        var bytes: [UInt8] = []
        generator.appendSerial(77, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == generator.serial(77))
    }

    @Test func serialsAreDistinctAndForeignOnesAreRefused() {
        let serials = (0..<20_000).map(generator.serial)
        #expect(Set(serials).count == serials.count)
        let other = DeviceGenerator(
            seed: 42,
            serverNumber: 4,
            assignedBy: "a@b.example",
            epoch: Date(timeIntervalSince1970: 0)
        )
        #expect(other.index(of: generator.serial(5)) == nil)
        #expect(generator.index(of: "short") == nil)
        #expect(generator.index(of: "C02T0HL0GGC0") == nil)
    }

    @Test func attributesAreStable() {
        let first = generator.attributes(10)
        let again = generator.attributes(10)
        #expect(first.model == again.model && first.family == again.family && first.assignedDate == again.assignedDate)
    }
}
