import ADECore
import ArgumentParser
import Foundation

/// `ade doctor [--format json]`: every token's state. Exit 0 healthy or warnings only, 3 when a token is in an error
/// state, 1 when it cannot evaluate (no database, wrong key).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report every token's state; exit 3 when any token is in an error state.",
        discussion: "Exit status: 0 healthy or warnings only; 3 a token is in an error state; 1 ade cannot evaluate."
    )
    @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
    @OptionGroup var health: HealthPolicyOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    /// The exit status when a token is in an error state.
    static let errorStateStatus: Int32 = 3

    struct Report: Encodable {
        struct Entry: Encodable {
            var name: String
            var state: TokenState
            var severity: Severity
            var daysLeft: Int?
            var errorCode: String?
            var since: String?
            var title: String
            var cause: String
            var impact: String
            var steps: [String]
            var remedy: String
            var breaks: [String]
            var clearsByItself: Bool

            enum CodingKeys: String, CodingKey {
                case name, state, severity, title, cause, impact, steps, remedy, since, breaks
                case clearsByItself = "clears_by_itself"
                case daysLeft = "days_left"
                case errorCode = "error_code"
            }
        }
        var tokens: [Entry]
        var counts: [String: Int]
    }

    func run() async throws {
        let locale = global.locale
        var worst = Severity.ok
        try await reportingErrors(locale: locale) {
            if case .sqlite(let path) = try storeOptions.location(), !FileManager.default.fileExists(atPath: path) {
                throw CommandError(.databaseMissing, path: path)
            }
            let policy = try health.policy()
            let report = try await storeOptions.withStore { store in
                try await Self.report(store: store, locale: locale, policy: policy)
            }
            worst = report.tokens.map(\.severity).max() ?? .ok
            let catalogue = MessageCatalogue.bundled
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Console.current.line(String(decoding: try encoder.encode(report), as: UTF8.self))
            case .text:
                if report.tokens.isEmpty { Console.current.line(catalogue.string(.doctorNoTokens, locale: locale)) }
                for entry in report.tokens {
                    Console.current.line(
                        catalogue.string(
                            .doctorLine,
                            locale: locale,
                            [
                                "severity": .string(catalogue.string(entry.severity.nameKey, locale: locale)),
                                "name": .string(entry.name),
                                "title": .string(entry.title),
                                "cause": .string(entry.cause),
                            ]
                        )
                    )
                    guard entry.severity != .ok else { continue }
                    Console.current.line(
                        catalogue.string(.doctorImpact, locale: locale, ["impact": .string(entry.impact)])
                    )
                    for (number, step) in entry.steps.enumerated() {
                        Console.current.line(
                            catalogue.string(
                                .doctorRemedy,
                                locale: locale,
                                ["remedy": .string("\(number + 1). \(step)")]
                            )
                        )
                    }
                    if entry.clearsByItself {
                        Console.current.line(catalogue.string(.doctorClears, locale: locale))
                    }
                }
                Console.current.line(
                    catalogue.string(
                        .doctorSummary,
                        locale: locale,
                        [
                            "errors": .int(report.counts["error"] ?? 0),
                            "warnings": .int(report.counts["warning"] ?? 0),
                            "ok": .int(report.counts["ok"] ?? 0),
                        ]
                    )
                )
            }
        }
        if worst == .error { throw ExitCode(Self.errorStateStatus) }
    }

    static func report(store: any ADEStore, locale: MessageLocale, policy: HealthPolicy) async throws -> Report {
        let catalogue = MessageCatalogue.bundled
        var entries: [Report.Entry] = []
        var counts: [String: Int] = ["ok": 0, "warning": 0, "error": 0]
        for overview in try await TokenOverview.all(store: store, now: Date(), policy: policy) {
            let (token, health) = (overview.token, overview.health)
            let text = health.text(tokenName: token.name, locale: locale, catalogue: catalogue)
            entries.append(
                Report.Entry(
                    name: token.name,
                    state: health.state,
                    severity: health.severity,
                    daysLeft: health.daysLeft,
                    errorCode: health.errorCode,
                    since: health.since.map { ISO8601DateFormatter().string(from: $0) },
                    title: text.title,
                    cause: text.cause,
                    impact: text.impact,
                    steps: text.steps,
                    remedy: text.remedy,
                    breaks: health.state.entry.breaks.map(\.rawValue),
                    clearsByItself: health.state.entry.clearsByItself
                )
            )
            counts[health.severity.rawValue, default: 0] += 1
        }
        return Report(tokens: entries, counts: counts)
    }
}
