import ADECore
import ADESupport
import ArgumentParser
import Foundation

/// `ade devices list [--token NAME] [--include-removed] [--assignment FILTER] [--limit N] [--format json|text]`
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "The devices ade keeps in step with Apple.",
        subcommands: [List.self, Refresh.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List devices, by serial number: all of them, written as they are read.",
            discussion: """
                With --limit, the devices left out are counted on standard error. --format csv writes a header and \
                one row per device for a spreadsheet; --format json one array.
                """
        )
        @Option(name: .long, help: "Only this token's devices.") var token: String?
        @Flag(name: .long, help: "Include devices that left their MDM server.") var includeRemoved = false
        @Option(
            name: .long,
            help: """
                Only devices whose profile assignment is failed, throttled, not-accessible, needs-attention, pending, \
                excluded, or none (present devices that show no profile).
                """
        )
        var assignment: AssignmentFilter?
        @Option(name: .long, help: "At most this many devices (default: all).") var limit: Int?
        @Option(name: .long, help: "Output format: text, csv or json.") var format: DeviceListFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                if let limit, limit < 1 {
                    throw CommandError(
                        .settingInvalid,
                        parameters: ["setting": "--limit", "minimum": "1", "maximum": String(Int.max)]
                    )
                }
                try await storeOptions.withStore { store in
                    var tokens = try await store.tokens()
                    if let token {
                        tokens = tokens.filter { $0.name.caseInsensitiveCompare(token) == .orderedSame }
                        guard !tokens.isEmpty else { throw StoreError(.notFound, parameters: ["name": token]) }
                    }
                    let writer = DeviceListWriter(format: format, withAssignment: assignment != nil, locale: locale)
                    var shown = 0
                    var leftOut = 0
                    for entry in tokens {
                        try await forEachPage(of: entry, store: store) { page in
                            let room = max(0, (limit ?? .max) - shown)
                            let kept = page.prefix(room)
                            leftOut += page.count - kept.count
                            guard !kept.isEmpty else { return }
                            let records = try await store.assignments(
                                tokenID: entry.id,
                                serialNumbers: kept.map(\.serialNumber)
                            )
                            try writer.write(kept.map { (entry.name, $0, records[$0.serialNumber]) })
                            shown += kept.count
                        }
                    }
                    writer.finish()
                    if leftOut > 0 {
                        Console.current.note(
                            MessageCatalogue.bundled.string(
                                .devicesLeftOut,
                                locale: locale,
                                ["count": .int(leftOut), "shown": .int(shown)]
                            )
                        )
                    }
                }
            }
        }

        /// Calls `body` with each page of a token's devices that the filters keep, by serial number.
        func forEachPage(
            of token: EnrollmentToken,
            store: any ADEStore,
            _ body: ([StoredDevice]) async throws -> Void
        ) async throws {
            if let assignment {
                try await assignment.forEachPage(of: token, store: store, body)
                return
            }
            try await store.forEachPage(
                tokenID: token.id,
                matching: DeviceQuery(presence: includeRemoved ? .all : .present)
            ) { page in
                try await body(page)
                return true
            }
        }
    }
}

/// `--format` of `ade devices list`: lines for a person, CSV for a spreadsheet, or JSON.
enum DeviceListFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json
}

/// `--assignment`: devices by where their profile assignment stands.
enum AssignmentFilter: String, ExpressibleByArgument, CaseIterable {
    case failed, throttled, pending, excluded
    case notAccessible = "not-accessible"
    case needsAttention = "needs-attention"
    case none

    var status: DeviceAssignment.Status? {
        switch self {
        case .failed: .failed
        case .throttled: .throttled
        case .pending: .pending
        case .excluded: .excluded
        case .notAccessible: .notAccessible
        case .needsAttention: .needsAttention
        case .none: nil
        }
    }

    /// Calls `body` with each page of the token's devices that match, by serial number.
    func forEachPage(
        of token: EnrollmentToken,
        store: any ADEStore,
        _ body: ([StoredDevice]) async throws -> Void
    ) async throws {
        guard let status else {
            // No profile: present devices whose profile is empty or removed.
            var devices: [StoredDevice] = []
            for profileStatus in [ProfileStatus.empty, .removed] {
                devices += try await store.allDevices(
                    tokenID: token.id,
                    matching: DeviceQuery(profileStatus: profileStatus)
                )
            }
            devices.sort { $0.serialNumber < $1.serialNumber }
            for start in stride(from: 0, to: devices.count, by: 1000) {
                try await body(Array(devices[start..<min(start + 1000, devices.count)]))
            }
            return
        }
        var after: String?
        while true {
            let records = try await store.assignments(tokenID: token.id, status: status, after: after, limit: 1000)
            var devices: [StoredDevice] = []
            for record in records {
                if let device = try await store.device(tokenID: token.id, serial: record.serialNumber) {
                    devices.append(device)
                }
            }
            try await body(devices)
            guard records.count == 1000, let last = records.last else { return }
            after = last.serialNumber
        }
    }
}
