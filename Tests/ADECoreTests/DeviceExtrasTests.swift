import ADESupport
import Foundation
import Testing

@testable import ADECore

/// The stored extras of a device read back: by `JSONReader`, or by `JSONDecoder` when the reader cannot,
/// always the same.
struct DeviceExtrasTests {
    static let texts = [
        "a4:83:e7:12:34:56", "356789012345678", "89049032000001000000123456789012", "SUCCESS", "", "ünïcødé ✓ 日本",
        "with \"quotes\"", "back\\slash", "slash/here", "tab\there", "control \u{01}",
    ]
    static let dates = [
        Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSince1970: 1_790_000_000.75),
        Date(timeIntervalSince1970: -86_401.5), Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7),
        Date(timeIntervalSince1970: 4_102_444_799),
    ]

    @Test func everyStoredFormReadsBackAsJSONDecoderReadsIt() throws {
        var random = SplitMix(state: 7)
        var readDirectly = 0
        for _ in 0..<500 {
            func text() -> String? { Bool.random(using: &random) ? nil : Self.texts.randomElement(using: &random) }
            func texts() -> [String]? {
                Bool.random(using: &random)
                    ? nil
                    : (0..<Int.random(in: 0...2, using: &random)).map { _ in Self.texts.randomElement(using: &random)! }
            }
            func flag() -> Bool? { Bool.random(using: &random) ? nil : Bool.random(using: &random) }
            var device = DeviceRecord(serialNumber: "X")
            device.mdmMigrationDeadline = Bool.random(using: &random) ? nil : Self.dates.randomElement(using: &random)
            device.bluetoothMACAddress = text()
            device.ethernetMACAddress = texts()
            device.wifiMACAddress = text()
            device.imei = texts()
            device.meid = texts()
            device.eid = text()
            device.isReplacementDevice = flag()
            device.releasedByReplacement = flag()
            let extras = DeviceExtras(device)
            guard let json = extras.json else { continue }
            let decoded = try JSONDecoder().decode(DeviceExtras.self, from: Data(json.utf8))
            #expect(decoded == extras)
            #expect(DeviceExtras(json: json) == extras, "\(json)")
            if let direct = DeviceExtras.parse(json) {
                readDirectly += 1
                #expect(direct == decoded, "\(json)")
            }
        }
        #expect(readDirectly > 50, "extras are read directly")
    }

    @Test func extrasWrittenWithADetailsAnswerStatusStillRead() throws {
        // Rows written before the store's own device record kept the answer's `responseStatus` among the extras.
        let extras = try #require(DeviceExtras(json: #"{"eid":"89049032","responseStatus":"SUCCESS"}"#))
        var device = DeviceRecord(serialNumber: "X")
        device.eid = "89049032"
        #expect(extras == DeviceExtras(device))
    }

    @Test func whatAppleSendsIsReadDirectly() throws {
        var device = DeviceRecord(serialNumber: "X")
        device.imei = ["356789012345678", "356789012345679"]
        device.eid = "89049032000001000000123456789012"
        device.wifiMACAddress = "a4:83:e7:12:34:57"
        device.bluetoothMACAddress = "a4:83:e7:12:34:56"
        device.isReplacementDevice = false
        device.mdmMigrationDeadline = Date(timeIntervalSince1970: 1_790_000_000)
        let json = try #require(DeviceExtras(device).json)
        #expect(DeviceExtras.parse(json) == DeviceExtras(device))
    }

    @Test func whatJSONDecoderReadsTheReaderReadsAlike() throws {
        for json in [
            #"{ "imei" : ["1", "2"] }"#, #"{"imei":["1"]} "#, #"{"eid":"a\/b"}"#, #"{"eid":"\u00e9\ud83d\ude00"}"#,
            #"{"mdmMigrationDeadline":-1.5e-3,"isReplacementDevice":true}"#, "{}",
        ] {
            let decoded = try JSONDecoder().decode(DeviceExtras.self, from: Data(json.utf8))
            #expect(DeviceExtras.parse(json) == decoded, "\(json)")
        }
    }

    @Test func anythingElseIsLeftToJSONDecoder() {
        for json in [
            #"{"imei":["1"],"unknown":1}"#, #"{"imei":["1"]"#, #"{"eid":1}"#, #"{"isReplacementDevice":"true"}"#,
            #"{"imei":"1"}"#, #"{"eid":"a","eid":"b"}"#, #"{"imei":["1"]} x"#, #"[]"#, "",
        ] {
            #expect(DeviceExtras.parse(json) == nil, "\(json)")
        }
        #expect(DeviceExtras(json: #"{"eid":"a","unknown":1}"#)?.eid == "a", "unknown keys: JSONDecoder skips them")
    }
}

/// A fixed sequence of random numbers (SplitMix64), so that every run tries the same extras.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
