import ADECore
import ADESQLite
import ArgumentParser
import DEPClient
import Foundation

/// `ade devices list [--token NAME] [--include-removed] [--assignment FILTER] [--limit N] [--format json|text]`
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "The devices ade keeps in step with Apple.",
        subcommands: [List.self, Refresh.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices, by serial number.")
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
        @Option(name: .long, help: "At most this many devices.") var limit: Int = 1000
        @Option(name: .long, help: "Output format: json or text.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let locale = global.locale
            try await reportingErrors(locale: locale) {
                try await storeOptions.withStore { store in
                    var tokens = try await store.tokens()
                    if let token {
                        tokens = tokens.filter { $0.name.caseInsensitiveCompare(token) == .orderedSame }
                        guard !tokens.isEmpty else { throw StoreError(.notFound, parameters: ["name": token]) }
                    }
                    var rows: [(token: String, device: StoredDevice)] = []
                    var records: [String: DeviceAssignment] = [:]
                    for entry in tokens where rows.count < limit {
                        let found =
                            if let assignment {
                                try await assignment.devices(of: entry, store: store, limit: limit - rows.count)
                            } else {
                                try await store.allDevices(
                                    tokenID: entry.id,
                                    matching: DeviceQuery(presence: includeRemoved ? .all : .present),
                                    limit: limit - rows.count
                                )
                            }
                        rows += found.map { (entry.name, $0) }
                        for (serial, record) in try await store.assignments(
                            tokenID: entry.id,
                            serialNumbers: found.map(\.serialNumber)
                        ) {
                            records["\(entry.id)/\(serial)"] = record
                        }
                    }
                    switch format {
                    case .json:
                        let objects: [[String: Any]] = rows.map { row in
                            var object: [String: Any] = [
                                "token": row.token, "serial_number": row.device.serialNumber,
                            ]
                            let device = row.device.device
                            if let model = device.model { object["model"] = model }
                            if let family = device.deviceFamily { object["device_family"] = family.rawValue }
                            if let status = device.profileStatus { object["profile_status"] = status.rawValue }
                            if let uuid = device.profileUUID { object["profile_uuid"] = uuid }
                            if let removed = row.device.removedAt { object["removed_at"] = DEPJSON.formatDate(removed) }
                            if let record = records["\(row.device.tokenID)/\(row.device.serialNumber)"] {
                                var assignment: [String: Any] = [
                                    "status": record.status.rawValue, "failures": record.failures,
                                    "updated_at": DEPJSON.formatDate(record.updatedAt),
                                ]
                                if let result = record.lastResult { assignment["last_result"] = result }
                                if let uuid = record.profileUUID { assignment["profile_uuid"] = uuid }
                                if let next = record.nextAttemptAt {
                                    assignment["next_attempt_at"] = DEPJSON.formatDate(next)
                                }
                                object["assignment"] = assignment
                            }
                            return object
                        }
                        let data = try JSONSerialization.data(
                            withJSONObject: objects,
                            options: [.prettyPrinted, .sortedKeys]
                        )
                        Console.current.line(String(decoding: data, as: UTF8.self))
                    case .text:
                        guard !rows.isEmpty else {
                            Console.current.line(MessageCatalogue.bundled.string(.devicesEmpty, locale: locale))
                            return
                        }
                        for row in rows {
                            let device = row.device.device
                            let fields = [
                                device.serialNumber, device.deviceFamily?.rawValue ?? "-", device.model ?? "-",
                                device.profileStatus?.rawValue ?? "-", row.token,
                                row.device.removedAt.map {
                                    MessageCatalogue.bundled.string(
                                        .devicesRemovedOn,
                                        locale: locale,
                                        ["date": .string(DEPJSON.formatDate($0))]
                                    )
                                } ?? "",
                            ]
                            let record = records["\(row.device.tokenID)/\(row.device.serialNumber)"]
                            let explained =
                                assignment != nil
                                ? record.map {
                                    [MessageCatalogue.bundled.string($0.status.explanationKey, locale: locale)]
                                }
                                    ?? [] : []
                            Console.current.line((fields + explained).joined(separator: "\t"))
                        }
                    }
                }
            }
        }
    }
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

    /// The token's devices that match, by serial, up to `limit`.
    func devices(of token: EnrollmentToken, store: SQLiteStore, limit: Int) async throws -> [StoredDevice] {
        guard let status else {
            // No profile: present devices whose profile is empty or removed.
            var devices: [StoredDevice] = []
            for profileStatus in [ProfileStatus.empty, .removed] {
                devices += try await store.allDevices(
                    tokenID: token.id,
                    matching: DeviceQuery(profileStatus: profileStatus),
                    limit: limit - devices.count
                )
            }
            return devices.sorted { $0.serialNumber < $1.serialNumber }
        }
        var devices: [StoredDevice] = []
        var after: String?
        while devices.count < limit {
            let records = try await store.assignments(
                tokenID: token.id,
                status: status,
                after: after,
                limit: min(1000, limit - devices.count)
            )
            for record in records {
                if let device = try await store.device(tokenID: token.id, serial: record.serialNumber) {
                    devices.append(device)
                }
            }
            guard records.count == 1000, let last = records.last else { break }
            after = last.serialNumber
        }
        return devices
    }
}
