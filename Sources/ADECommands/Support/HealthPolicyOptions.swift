import ADECore
import ArgumentParser
import Foundation

/// The thresholds of the token states, for the commands that judge them (`ade serve`, `ade doctor`): flags, else
/// the environment, else the defaults (3 failed runs, 24 hours, 5 %).
struct HealthPolicyOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Failed runs in a row (network, Apple's 5xx) before a token shows it (env ADE_FAILURES_BEFORE_ALERT). Default 3."
    )
    var failuresBeforeAlert: Int?
    @Option(
        name: .long,
        help: "Hours without a successful sync before a token is sync_stalled (env ADE_SYNC_STALLED_HOURS). Default 24."
    )
    var syncStalledHours: Int?
    @Option(
        name: .long,
        help:
            "Percent of a token's devices whose assignment failed before it is assignments_failing (env ADE_ASSIGNMENT_FAILURE_PERCENT). Default 5."
    )
    var assignmentFailurePercent: Int?

    /// The policy, or ``CommandError`` `setting_invalid` naming the setting at fault.
    func policy(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HealthPolicy {
        func value(_ flag: Int?, _ variable: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            let text = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
            let given = flag ?? text.flatMap { Int($0) } ?? (text == nil ? fallback : Int.min)
            guard range.contains(given) else {
                throw CommandError(
                    .settingInvalid,
                    parameters: [
                        "setting": variable, "minimum": String(range.lowerBound), "maximum": String(range.upperBound),
                    ]
                )
            }
            return given
        }
        return HealthPolicy(
            failuresBeforeAlert: try value(failuresBeforeAlert, "ADE_FAILURES_BEFORE_ALERT", 3, 1...100),
            syncStalledAfter: TimeInterval(try value(syncStalledHours, "ADE_SYNC_STALLED_HOURS", 24, 1...8760)) * 3600,
            assignmentFailureShare: Double(
                try value(assignmentFailurePercent, "ADE_ASSIGNMENT_FAILURE_PERCENT", 5, 1...100)
            )
                / 100
        )
    }
}
