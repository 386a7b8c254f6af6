import ADECore
import ADESupport
import Foundation

/// Writes `ade devices list` as pages of devices arrive, so that a million devices never wait in memory: lines with
/// a header for a person, CSV (RFC 4180) for a spreadsheet, or one JSON array.
final class DeviceListWriter {
    /// One device with its token's name and its assignment record.
    typealias Row = (token: String, device: StoredDevice, record: DeviceAssignment?)

    let format: DeviceListFormat
    let withAssignment: Bool
    let locale: MessageLocale
    private var written = 0
    private let console = Console.current
    private let catalogue = MessageCatalogue.bundled

    init(format: DeviceListFormat, withAssignment: Bool, locale: MessageLocale) {
        self.format = format
        self.withAssignment = withAssignment
        self.locale = locale
    }

    /// The CSV columns, as `--format json` names its fields.
    static let csvColumns = [
        "token", "serial_number", "device_family", "model", "profile_status", "profile_uuid", "removed_at",
        "assignment_status", "assignment_failures", "assignment_last_result", "assignment_next_attempt_at",
    ]

    func write(_ rows: [Row]) throws {
        for row in rows {
            if written == 0 { header() }
            switch format {
            case .text: console.line(text(row))
            case .csv: console.line(Self.csvLine(csvFields(row)))
            case .json: console.writeOut((written == 0 ? "[\n" : ",\n") + (try json(row)))
            }
            written += 1
        }
    }

    /// Ends the list: the JSON array's end, or a sentence when a person asked and nothing matched.
    func finish() {
        switch format {
        case .json: console.writeOut(written == 0 ? "[]\n" : "\n]\n")
        case .csv: if written == 0 { header() }
        case .text: if written == 0 { console.line(catalogue.string(.devicesEmpty, locale: locale)) }
        }
    }

    private func header() {
        switch format {
        case .text:
            var labels: [MessageKey] = [
                .devicesColumnSerial, .devicesColumnFamily, .devicesColumnModel, .devicesColumnProfile,
                .devicesColumnToken, .devicesColumnRemoved,
            ]
            if withAssignment { labels.append(.devicesColumnAssignment) }
            console.line(labels.map { catalogue.string($0, locale: locale) }.joined(separator: "\t"))
        case .csv:
            console.line(Self.csvLine(Self.csvColumns))
        case .json:
            break
        }
    }

    private func text(_ row: Row) -> String {
        let device = row.device.device
        var fields = [
            device.serialNumber, device.deviceFamily?.rawValue ?? "-", device.model ?? "-",
            device.profileStatus?.rawValue ?? "-", row.token,
            row.device.removedAt.map {
                catalogue.string(.devicesRemovedOn, locale: locale, ["date": .string(Timestamp.format($0))])
            } ?? "",
        ]
        if withAssignment {
            fields.append(row.record.map { catalogue.string($0.status.explanationKey, locale: locale) } ?? "")
        }
        return fields.joined(separator: "\t")
    }

    private func csvFields(_ row: Row) -> [String] {
        let device = row.device.device
        let record = row.record
        return [
            row.token, device.serialNumber, device.deviceFamily?.rawValue ?? "", device.model ?? "",
            device.profileStatus?.rawValue ?? "", device.profileUUID ?? "",
            row.device.removedAt.map(Timestamp.format) ?? "", record?.status.rawValue ?? "",
            record.map { String($0.failures) } ?? "", record?.lastResult ?? "",
            record?.nextAttemptAt.map(Timestamp.format) ?? "",
        ]
    }

    /// One CSV record: fields with a comma, a quote, a line break or a leading `=+-@` (which a spreadsheet would run
    /// as a formula) are quoted, quotes doubled; such a leading character is kept behind a `'`.
    static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            var value = field
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            let special = value.unicodeScalars.contains { [",", "\"", "\r", "\n"].contains($0) }
            guard special || value != field else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }

    /// One device in `--format json`; absent values are left out.
    struct DeviceJSON: Encodable {
        struct Assignment: Encodable {
            var status: String
            var failures: Int
            var updatedAt: String
            var lastResult: String?
            var profileUUID: String?
            var nextAttemptAt: String?

            enum CodingKeys: String, CodingKey {
                case status, failures
                case updatedAt = "updated_at"
                case lastResult = "last_result"
                case profileUUID = "profile_uuid"
                case nextAttemptAt = "next_attempt_at"
            }
        }

        var token: String
        var serialNumber: String
        var model: String?
        var deviceFamily: String?
        var profileStatus: String?
        var profileUUID: String?
        var removedAt: String?
        var assignment: Assignment?

        enum CodingKeys: String, CodingKey {
            case token, model, assignment
            case serialNumber = "serial_number"
            case deviceFamily = "device_family"
            case profileStatus = "profile_status"
            case profileUUID = "profile_uuid"
            case removedAt = "removed_at"
        }

        init(_ row: Row) {
            let device = row.device.device
            token = row.token
            serialNumber = row.device.serialNumber
            model = device.model
            deviceFamily = device.deviceFamily?.rawValue
            profileStatus = device.profileStatus?.rawValue
            profileUUID = device.profileUUID
            removedAt = row.device.removedAt.map(Timestamp.format)
            assignment = row.record.map { record in
                Assignment(
                    status: record.status.rawValue,
                    failures: record.failures,
                    updatedAt: Timestamp.format(record.updatedAt),
                    lastResult: record.lastResult,
                    profileUUID: record.profileUUID,
                    nextAttemptAt: record.nextAttemptAt.map(Timestamp.format)
                )
            }
        }
    }

    /// One element of the JSON array, indented inside it.
    private func json(_ row: Row) throws -> String {
        try Console.jsonText(DeviceJSON(row)).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  " + $0 }.joined(separator: "\n")
    }
}
