import ADESupport
import ADETesting
import DEPSimulator
import Foundation
import Testing

@testable import DEPClient

/// The direct page parser against `JSONDecoder`: the same page whenever it answers, and an answer for every page
/// Apple's service and the simulator write.
/// Reproducible choices for the generated pages.
extension SeededRandom {
    fileprivate mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
    fileprivate mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

struct DevicePageParserTests {
    static func decoded(_ bytes: [UInt8]) -> DevicePage? {
        try? JSONCoding.decoder().decode(DevicePage.self, from: Data(bytes))
    }

    /// Text with the characters that need escapes or several UTF-8 bytes.
    static func text(_ random: inout SeededRandom) -> String {
        let pieces = [
            "iPad", "MacBook Air", "é", "日本語", "😀", "\"quoted\"", "back\\slash", "tab\there", "line\n", "/",
            "\u{1}", "Ünïcödé", "", " ",
        ]
        return (0..<(1 + random.below(3))).map { _ in pieces[random.below(pieces.count)] }.joined()
    }

    static func date(_ random: inout SeededRandom) -> Date {
        // Whole seconds from 1970 to 2100, and now and then with a fraction (JSON written by others).
        let seconds = TimeInterval(random.below(4_102_444_800))
        return Date(timeIntervalSince1970: seconds)
    }

    static func device(_ random: inout SeededRandom) -> Device {
        func maybe<T>(_ make: (inout SeededRandom) -> T) -> T? { random.chance(60) ? make(&random) : nil }
        var device = Device(
            serialNumber: random.chance(90) ? String(format: "C02%09X", random.below(1 << 30)) : text(&random),
            model: maybe(text),
            description: maybe(text),
            color: maybe(text),
            assetTag: maybe(text),
            deviceFamily: maybe { r in
                DeviceFamily(rawValue: ["iPad", "iPhone", "Mac", "AppleTV", "Vision", "X"][r.below(6)])
            },
            os: maybe { r in OperatingSystem(rawValue: ["iOS", "OSX", "tvOS", "visionOS"][r.below(4)]) },
            profileStatus: maybe { r in ProfileStatus(rawValue: ["empty", "assigned", "pushed", "removed"][r.below(4)])
            },
            profileUUID: maybe { r in String(format: "%08X", r.below(1 << 30)) },
            profileAssignTime: maybe(date),
            profilePushTime: maybe(date),
            deviceAssignedDate: maybe(date),
            deviceAssignedBy: maybe(text),
            opType: maybe { r in OperationType(rawValue: ["added", "modified", "deleted"][r.below(3)]) },
            opDate: maybe(date)
        )
        device.mdmMigrationDeadline = maybe(date)
        device.bluetoothMACAddress = maybe(text)
        device.ethernetMACAddress = maybe { r in (0..<r.below(3)).map { _ in text(&r) } }
        device.wifiMACAddress = maybe(text)
        device.imei = maybe { r in (0..<r.below(3)).map { _ in text(&r) } }
        device.meid = maybe { r in (0..<r.below(2)).map { _ in text(&r) } }
        device.eid = maybe(text)
        device.isReplacementDevice = maybe { r in r.chance(50) }
        device.releasedByReplacement = maybe { r in r.chance(50) }
        device.responseStatus = maybe { r in DeviceResult(rawValue: ["SUCCESS", "NOT_FOUND"][r.below(2)]) }
        return device
    }

    static func page(_ random: inout SeededRandom) -> DevicePage {
        DevicePage(
            cursor: random.chance(90) ? "MDowOjE1MzY0Mjc2OTg5MTQ6\(random.next())" : nil,
            devices: (0..<random.below(40)).map { _ in device(&random) },
            fetchedUntil: random.chance(80) ? date(&random) : nil,
            moreToFollow: random.chance(50)
        )
    }

    @Test func readsEveryGeneratedPageAsJSONDecoderDoes() throws {
        var random = SeededRandom(seed: 1)
        for _ in 0..<400 {
            let page = Self.page(&random)
            let bytes = try JSONCoding.encode(page)
            let fast = try #require(DevicePageParser.parse(bytes), "the direct parser reads what DEPJSON writes")
            #expect(fast == Self.decoded(bytes))
            #expect(fast == page)
        }
    }

    @Test func readsApplesDocumentedAnswers() throws {
        for name in ["device_response.json", "empty_sync_response.json"] {
            let bytes = try Fixtures.bytes("dep-responses/\(name)")
            let fast = try #require(DevicePageParser.parse(bytes), "\(name)")
            #expect(fast == Self.decoded(bytes), "\(name)")
        }
    }

    @Test func handWrittenShapes() throws {
        let cases: [(String, Bool)] = [
            // Whitespace everywhere, unknown keys of every kind, nulls, escapes, a surrogate pair.
            (
                #" { "more_to_follow" : true , "x": {"a":[1,-2.5e+3,0.1,true,false,null,"s",{}]} , "devices" : [ {"#
                    + #""serial_number":"A\u00e9\ud83d\ude00\/","model":null,"imei":["1","2"],"future":[[]],"#
                    + #""op_date":"2024-02-29T23:59:59Z","profile_push_time":"2024-02-29T23:59:59.250Z"} ] } "#,
                true
            ),
            (#"{"devices":null,"cursor":null,"fetched_until":null,"more_to_follow":null}"#, true),
            (#"{"devices":[],"fetched_until":"0001-01-01T00:00:00Z"}"#, true),
            (#"{"devices":[{"serial_number":"A","op_date":"2024-01-01T10:00:00+02:00"}]}"#, true),
            // Left to JSONDecoder: wrong types, missing serial, duplicates, malformed JSON, bad escapes, bad times.
            (#"{"devices":[{"serial_number":1}]}"#, false),
            (#"{"devices":[{"model":"iPad"}]}"#, false),
            (#"{"devices":[{"serial_number":null}]}"#, false),
            (#"{"cursor":"a","cursor":"b"}"#, false),
            (#"{"more_to_follow":"true"}"#, false),
            (#"{"devices":[{"serial_number":"A"}],}"#, false),
            (#"{"devices":[{"serial_number":"A"}]} x"#, false),
            (#"{"x":01}"#, false),
            (#"{"x":1.}"#, false),
            (#"{"devices":[{"serial_number":"\ud800"}]}"#, false),
            (#"{"devices":[{"serial_number":"\q"}]}"#, false),
            (#"{"devices":[{"serial_number":"A","op_date":"yesterday"}]}"#, false),
            (#"[]"#, false),
            ("", false),
        ]
        for (json, fastPath) in cases {
            let bytes = Array(json.utf8)
            let fast = DevicePageParser.parse(bytes)
            #expect((fast != nil) == fastPath, "\(json)")
            if let fast { #expect(fast == Self.decoded(bytes), "\(json)") }
        }
        #expect(DevicePageParser.parse([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) == nil, "invalid UTF-8")
    }

    @Test func neverDisagreesWithJSONDecoderOnDamagedPages() throws {
        var random = SeededRandom(seed: 2)
        var read = 0
        for _ in 0..<3000 {
            var bytes = try JSONCoding.encode(Self.page(&random))
            for _ in 0..<(1 + random.below(3)) where !bytes.isEmpty {
                let at = random.below(bytes.count)
                switch random.below(4) {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: at)
                case 2:
                    let structural = Array(#"{}[]",:\ 0e-tn"#.utf8)
                    bytes.insert(structural[random.below(structural.count)], at: at)
                default: bytes.removeSubrange(at...)
                }
            }
            guard let fast = DevicePageParser.parse(bytes) else { continue }
            read += 1
            #expect(fast == Self.decoded(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(read > 100, "some damaged pages are still valid JSON and are read: \(read)")
    }

    @Test func readsTimesAsFoundationDoes() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: TimeInterval(random.below(253_402_300_799)))
            let text = Timestamp.format(date)
            #expect(DevicePageParser.wholeSecondUTC(text) == Timestamp.parse(text), "\(text)")
        }
        for text in ["2024-02-29T00:00:00Z", "2000-02-29T12:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            #expect(DevicePageParser.wholeSecondUTC(text) == Timestamp.parse(text), "\(text)")
        }
        for text in [
            "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
            "1969-12-31T23:59:59Z", "2024-01-01T00:00:00z", "2024-01-01 00:00:00Z",
        ] {
            #expect(DevicePageParser.wholeSecondUTC(text) == nil, "\(text): left to Foundation")
        }
    }
}
