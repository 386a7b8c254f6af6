public import DEPClient
public import Foundation

extension DeviceAssignment {
    /// The record after Apple's answer for this device to an assignment of `profileUUID`.
    ///
    /// `SUCCESS` clears the failures; `THROTTLED` waits `retryAfterSeconds` (or the policy's wait) without counting
    /// as a failure; `NOT_ACCESSIBLE` and `NOT_FOUND` stop automatic attempts; `FAILED`, and any answer Apple may add
    /// later, waits the cooldown and, at the policy's limit, needs attention.
    public static func recording(
        _ result: DeviceResult,
        for serialNumber: String,
        tokenID: Int64,
        profileUUID: String,
        previous: DeviceAssignment?,
        retryAfterSeconds: Int?,
        at now: Date,
        policy: AssignmentPolicy
    ) -> DeviceAssignment {
        var record = DeviceAssignment(
            tokenID: tokenID,
            serialNumber: serialNumber,
            status: .assigned,
            profileUUID: profileUUID,
            failures: previous?.failures ?? 0,
            lastResult: result.rawValue,
            updatedAt: now
        )
        switch result {
        case .success:
            record.failures = 0
        case .throttled:
            record.status = .throttled
            let wait = retryAfterSeconds.map { TimeInterval(max(1, $0)) } ?? policy.throttleWait
            record.nextAttemptAt = now.addingTimeInterval(wait)
        case .notAccessible, .notFound:
            record.status = .notAccessible
            record.failures = 0
        default:
            record.failures += 1
            if record.failures >= policy.failureLimit {
                record.status = .needsAttention
            } else {
                record.status = .failed
                record.nextAttemptAt = now.addingTimeInterval(policy.failureCooldown)
            }
        }
        return record
    }

    /// The device waiting for `profileUUID`, due at `due`: its earlier record (failures and last answer kept) or a
    /// new one. A call that failed as a whole leaves its devices so, and so does a default that now covers them.
    public static func pending(
        _ serial: String,
        tokenID: Int64,
        profileUUID: String,
        previous: DeviceAssignment?,
        due: Date,
        at now: Date
    ) -> DeviceAssignment {
        var record =
            previous ?? DeviceAssignment(tokenID: tokenID, serialNumber: serial, status: .pending, updatedAt: now)
        record.status = .pending
        record.profileUUID = profileUUID
        record.nextAttemptAt = due
        record.updatedAt = now
        return record
    }
}
