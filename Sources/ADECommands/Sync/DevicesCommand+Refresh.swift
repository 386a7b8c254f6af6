import ADECore
import ADESupport
import ArgumentParser
import DEPClient
import Foundation
import Logging

extension DevicesCommand {
    /// `ade devices refresh --token NAME SERIAL… [--format json]`
    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask Apple for devices' details now and store them (profile status, assignment, fields).",
            discussion: """
                Calls Apple's device details endpoint in batches of 1000 and updates the stored devices as a sync \
                would, with their events. Devices Apple does not show (NOT_ACCESSIBLE: not assigned to this MDM \
                server in ABM) are listed with Apple's answer and left as they are.
                """
        )
        @Option(name: .long, help: "The token.") var token: String
        @Argument(help: "Serial numbers.") var serials: [String]
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        /// `--format json`: Apple's answer per serial, how many stored devices changed, and those not stored yet.
        struct Output: Encodable {
            var devices: [String: String]
            var modified: Int
            var notStored: [String]

            enum CodingKeys: String, CodingKey {
                case devices, modified
                case notStored = "not_stored"
            }
        }

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                let report = try await storeOptions.withTokenService { service, store, _ in
                    try await DeviceRefresher(
                        tokens: service,
                        store: store,
                        timeSource: SystemTimeSource(),
                        logger: Logger.commandLine("ade.devices")
                    ).refresh(token: token, serialNumbers: serials.map { $0.uppercased() })
                }
                switch format {
                case .json:
                    try Console.current.json(
                        Output(
                            devices: report.results.mapValues(\.rawValue),
                            modified: report.changes.modified,
                            notStored: report.notStored.sorted()
                        )
                    )
                case .text:
                    Console.current.line(
                        MessageCatalogue.bundled.string(
                            .devicesRefreshed,
                            locale: locale,
                            [
                                "count": .int(report.results.values.filter { $0 == .success }.count),
                                "modified": .int(report.changes.modified),
                            ]
                        )
                    )
                    for (serial, result) in report.results.sorted(by: { $0.key < $1.key }) where result != .success {
                        Console.current.line("\(serial)\t\(result.rawValue)")
                    }
                    for serial in report.notStored.sorted() {
                        Console.current.line(
                            "\(serial)\t" + MessageCatalogue.bundled.string(.devicesNotStored, locale: locale)
                        )
                    }
                }
            }
        }
    }
}
