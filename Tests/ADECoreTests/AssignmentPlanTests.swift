import ADECore
import ADESupport
import DEPClient
import Foundation
import Testing

struct AssignmentPlanTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let policy = AssignmentPolicy()

    private func device(
        _ serial: String,
        _ status: ProfileStatus? = .empty,
        family: DeviceFamily? = .iPhone,
        op: OperationType? = nil,
        removed: Bool = false
    ) -> StoredDevice {
        StoredDevice(
            tokenID: 1,
            device: DeviceRecord(serialNumber: serial, deviceFamily: family, profileStatus: status, opType: op),
            removedAt: removed ? now : nil,
            fetchGeneration: 1,
            updatedAt: now
        )
    }

    private func record(_ serial: String, _ status: DeviceAssignment.Status, next: Date? = nil, failures: Int = 0)
        -> DeviceAssignment
    {
        DeviceAssignment(
            tokenID: 1,
            serialNumber: serial,
            status: status,
            profileUUID: "P",
            failures: failures,
            nextAttemptAt: next,
            updatedAt: now
        )
    }

    @Test func onlyPresentDevicesWithoutAProfileAreCandidates() {
        let devices = [
            device("EMPTY"), device("REMOVED", .removed), device("FETCHED", nil),
            device("ASSIGNED", .assigned), device("PUSHED", .pushed), device("GONE", .empty, removed: true),
            // Moved here from another MDM server: Apple sends it modified, with its profile removed.
            device("MOVED", .removed, op: .modified),
        ]
        let plan = AssignmentPlan.make(
            devices: devices,
            records: [:],
            defaults: DefaultProfiles(all: "P"),
            at: now,
            policy: policy
        )
        #expect(plan.batches == [.init(profileUUID: "P", serialNumbers: ["EMPTY", "REMOVED", "FETCHED", "MOVED"])])
    }

    @Test func eachFamilyGetsItsOwnDefaultElseTheTokensDefault() {
        let devices = [
            device("PHONE"), device("PAD", family: .iPad), device("MAC", family: .mac), device("TV", family: .appleTV),
            device("UNKNOWN", family: nil),
        ]
        let both = AssignmentPlan.make(
            devices: devices,
            records: [:],
            defaults: DefaultProfiles(all: "ALL", byFamily: [.iPad: "IPAD", .mac: "MAC"]),
            at: now,
            policy: policy
        )
        #expect(
            both.batches == [
                .init(profileUUID: "ALL", serialNumbers: ["PHONE", "TV", "UNKNOWN"]),
                .init(profileUUID: "IPAD", serialNumbers: ["PAD"]),
                .init(profileUUID: "MAC", serialNumbers: ["MAC"]),
            ]
        )
        let familyOnly = AssignmentPlan.make(
            devices: devices,
            records: [:],
            defaults: DefaultProfiles(byFamily: [.mac: "MAC"]),
            at: now,
            policy: policy
        )
        #expect(familyOnly.serialNumbers == ["MAC"], "no default, no assignment")
        #expect(
            AssignmentPlan.make(devices: devices, records: [:], defaults: DefaultProfiles(), at: now, policy: policy)
                .batches.isEmpty
        )
    }

    @Test func twoThousandFiveHundredDevicesMakeThreeCalls() {
        let devices = (0..<2500).map { device(String(format: "S%05d", $0)) }
        let plan = AssignmentPlan.make(
            devices: devices + [devices[7]],
            records: [:],
            defaults: DefaultProfiles(all: "P"),
            at: now,
            policy: policy
        )
        #expect(plan.batches.map(\.serialNumbers.count) == [1000, 1000, 500])
        #expect(Set(plan.serialNumbers).count == 2500, "a serial seen twice is sent once")
        #expect(AssignmentPolicy(batchSize: 5000).batchSize == 1000, "never more than Apple's limit")
    }

    @Test func recordsHoldDevicesBackUntilTheirTime() {
        let later = now.addingTimeInterval(3600)
        let records = [
            "COOLING": record("COOLING", .failed, next: later, failures: 1),
            "COOLED": record("COOLED", .failed, next: now, failures: 1),
            "WAITING": record("WAITING", .throttled, next: later),
            "WAITED": record("WAITED", .throttled, next: now.addingTimeInterval(-1)),
            "ELSEWHERE": record("ELSEWHERE", .notAccessible),
            "STUCK": record("STUCK", .needsAttention, failures: 3),
            "ADMIN": record("ADMIN", .excluded),
            "LOST": record("LOST", .assigned),
        ]
        let plan = AssignmentPlan.make(
            devices: records.keys.sorted().map { device($0) },
            records: records,
            defaults: DefaultProfiles(all: "P"),
            at: now,
            policy: policy
        )
        #expect(Set(plan.serialNumbers) == ["COOLED", "WAITED", "LOST"])
    }

    @Test func notAccessibleHoldsUntilAppleShowsTheDeviceHereAgain() {
        let answer = record("MOVED", .notAccessible)
        var device = device("MOVED", .removed)
        let plan = {
            AssignmentPlan.make(
                devices: [device],
                records: ["MOVED": answer],
                defaults: DefaultProfiles(all: "P"),
                at: now.addingTimeInterval(86_400),
                policy: policy
            ).serialNumbers
        }
        #expect(plan().isEmpty)
        device.device.deviceAssignedDate = now.addingTimeInterval(-60)
        #expect(plan().isEmpty, "assigned here before the answer")
        device.device.deviceAssignedDate = now.addingTimeInterval(60)
        #expect(plan() == ["MOVED"], "an admin assigned it to this server in ABM afterwards")
    }

    @Test func everyAnswerOfAppleMovesTheRecord() {
        func answer(_ result: DeviceResult, previous: DeviceAssignment? = nil, retryAfter: Int? = nil)
            -> DeviceAssignment
        {
            DeviceAssignment.recording(
                result,
                for: "S",
                tokenID: 1,
                profileUUID: "P",
                previous: previous,
                retryAfterSeconds: retryAfter,
                at: now,
                policy: policy
            )
        }
        let success = answer(.success, previous: record("S", .failed, failures: 2))
        #expect(success.status == .assigned && success.failures == 0 && success.nextAttemptAt == nil)
        #expect(success.lastResult == "SUCCESS" && success.profileUUID == "P" && success.updatedAt == now)

        let throttled = answer(.throttled, previous: record("S", .failed, failures: 1), retryAfter: 120)
        #expect(throttled.status == .throttled && throttled.nextAttemptAt == now.addingTimeInterval(120))
        #expect(throttled.failures == 1, "throttling is not a failure")
        #expect(answer(.throttled).nextAttemptAt == now.addingTimeInterval(policy.throttleWait))

        let elsewhere = answer(.notAccessible)
        #expect(elsewhere.status == .notAccessible && elsewhere.nextAttemptAt == nil)
        #expect(!elsewhere.allowsAutomaticAttempt(at: now.addingTimeInterval(86_400 * 365)))
        #expect(answer(.notFound).status == .notAccessible)

        let first = answer(.failed)
        #expect(first.status == .failed && first.failures == 1)
        #expect(first.nextAttemptAt == now.addingTimeInterval(86_400), "Apple's advice: a day")
        #expect(!first.allowsAutomaticAttempt(at: now.addingTimeInterval(86_399)))
        #expect(first.allowsAutomaticAttempt(at: now.addingTimeInterval(86_400)))
        let second = answer(.failed, previous: first)
        #expect(second.status == .failed && second.failures == 2)
        let third = answer(.failed, previous: second)
        #expect(third.status == .needsAttention && third.failures == 3 && third.nextAttemptAt == nil)
        #expect(!third.allowsAutomaticAttempt(at: now.addingTimeInterval(86_400 * 30)))

        let unknown = answer(DeviceResult(rawValue: "SOMETHING_NEW"))
        #expect(unknown.status == .failed && unknown.lastResult == "SOMETHING_NEW", "an answer Apple adds later")

        let strict = AssignmentPolicy(failureCooldown: 3600, failureLimit: 1)
        let once = DeviceAssignment.recording(
            .failed,
            for: "S",
            tokenID: 1,
            profileUUID: "P",
            previous: nil,
            retryAfterSeconds: nil,
            at: now,
            policy: strict
        )
        #expect(once.status == .needsAttention)
    }
}
