import ADECore
import ADESupport
import ADETesting
import DEPSimulator
import Foundation
import Hummingbird
import Logging
import NIOEmbedded
import Testing

@testable import ADEServer

/// The hand-written JSON of the device and token lists is byte for byte what JSONEncoder writes.
struct APIJSONTests {
    static let texts = [
        "plain", "with \"quotes\"", "back\\slash", "new\nline\ttab\rreturn", "control \u{01}\u{1F}", "ünïcødé ✓ 日本",
        "emoji 👩🏽‍💻", "slash/and/more", "",
    ]
    static let dates = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_000.75),
        Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
        Date(timeIntervalSince1970: 4_102_444_799),  // 2099-12-31T23:59:59Z
        Date(timeIntervalSince1970: -86_401.5),
    ]

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try ADERequestContext.encoder.encode(value), as: UTF8.self)
    }

    @Test func deviceListsMatchJSONEncoder() throws {
        var random = SeededRandom(seed: 42)
        for round in 0..<200 {
            func text() -> String? { Bool.random(using: &random) ? nil : Self.texts.randomElement(using: &random) }
            func date() -> Date? { Bool.random(using: &random) ? nil : Self.dates.randomElement(using: &random) }
            let devices = (0..<Int.random(in: 0...4, using: &random)).map { index in
                StoredDevice(
                    tokenID: 1,
                    device: DeviceRecord(
                        serialNumber: "SERIAL\(round)-\(index)" + (Self.texts.randomElement(using: &random) ?? ""),
                        model: text(),
                        description: text(),
                        color: text(),
                        assetTag: text(),
                        deviceFamily: text().map(DeviceFamily.init(rawValue:)),
                        os: text().map(OperatingSystem.init(rawValue:)),
                        profileStatus: text().map(ProfileStatus.init(rawValue:)),
                        profileUUID: text(),
                        profileAssignTime: date(),
                        profilePushTime: date(),
                        deviceAssignedDate: date(),
                        deviceAssignedBy: text(),
                        opType: text().map(OperationType.init(rawValue:)),
                        opDate: date()
                    ),
                    removedAt: date(),
                    fetchGeneration: 1,
                    updatedAt: Self.dates.randomElement(using: &random)!
                )
            }
            let list = APIModels.DeviceList(
                devices: devices[...],
                token: Self.texts.randomElement(using: &random)!,
                nextAfter: text()
            )
            #expect(list.json.text == (try Self.encoded(list)))
        }
    }

    @Test func tokenListsMatchJSONEncoder() throws {
        let channel = EmbeddedChannel()
        let context = ADERequestContext(
            source: ApplicationRequestContextSource(channel: channel, logger: SimulatorHarness.quietLogger)
        )
        var random = SeededRandom(seed: 7)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        for _ in 0..<200 {
            func text() -> String? { Bool.random(using: &random) ? nil : Self.texts.randomElement(using: &random) }
            func date() -> Date? { Bool.random(using: &random) ? nil : Self.dates.randomElement(using: &random) }
            let overviews = (0..<Int.random(in: 0...3, using: &random)).map { index in
                var token = EnrollmentToken(
                    id: Int64(index),
                    name: "Token \(index) " + (Self.texts.randomElement(using: &random) ?? ""),
                    baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                    createdAt: Self.dates.randomElement(using: &random)!
                )
                token.consumerKey = text()
                token.accessTokenExpiry = date()
                token.serverName = text()
                token.serverUUID = text()
                token.organisationName = text()
                token.adminAppleID = text()
                token.uploadedAt = date()
                token.pendingSince = date()
                let failed = SyncRun(
                    id: 2,
                    tokenID: token.id,
                    kind: .delta,
                    startedAt: now,
                    endedAt: date(),
                    outcome: .failed,
                    errorCode: text()
                )
                return TokenOverview(
                    token,
                    summary: RunSummary(lastFinished: failed, lastFailure: Bool.random(using: &random) ? failed : nil),
                    facts: TokenFacts(failureStreak: Int.random(in: 0...5, using: &random)),
                    deviceCount: Int.random(in: 0...1_000_000, using: &random),
                    now: now
                )
            }
            let list = APIModels.TokenList(
                tokens: overviews.map { APIModels.Token($0, syncing: Bool.random(using: &random), context: context) },
                nextAfter: text()
            )
            #expect(list.json.text == (try Self.encoded(list)))
        }
        _ = try? channel.finish()
    }
}
