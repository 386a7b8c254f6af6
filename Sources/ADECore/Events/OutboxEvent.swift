public import Foundation

/// Something that happened that other systems hear of through webhooks: written by the store in the same transaction
/// as its cause, numbered in commit order, delivered later by the delivery service.
public struct OutboxEvent: Sendable, Hashable {
    /// What happened. Webhook receivers switch on it; the values are a contract.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Devices new to a token, or back after being removed (`serial_numbers`).
        public static let devicesAdded = Kind(rawValue: "devices.added")
        /// Devices Apple reports changed (`serial_numbers`).
        public static let devicesModified = Kind(rawValue: "devices.modified")
        /// Devices that left a token's MDM server (`serial_numbers`).
        public static let devicesRemoved = Kind(rawValue: "devices.removed")
        /// Profile assignment outcomes (`assignments`: serial number, status, Apple's answer, profile UUID).
        public static let assignmentResults = Kind(rawValue: "assignments.results")
        /// A token's state changed with a sync run (`token`, `from`, `to`, `severity`, `error_code`, `at`).
        public static let tokenStateChanged = Kind(rawValue: "token.state_changed")
        /// A token reached a step of the expiry ladder (`token`, `step_days`, `days_left`, `expires_at`, `at`).
        public static let tokenExpiryReminder = Kind(rawValue: "token.expiry_reminder")
        /// The kinds an alert channel receives.
        public static let alerts: Set<Kind> = [.tokenStateChanged, .tokenExpiryReminder]
    }

    /// The event's number: increasing in commit order.
    public var id: Int64
    public var tokenID: Int64
    public var kind: Kind
    /// The event's data as JSON (an object with the token's name and the event's fields).
    public var body: String
    public var createdAt: Date

    public init(id: Int64, tokenID: Int64, kind: Kind, body: String, createdAt: Date) {
        self.id = id
        self.tokenID = tokenID
        self.kind = kind
        self.body = body
        self.createdAt = createdAt
    }
}

/// An event about to be written, before the store numbers it.
public struct PendingEvent: Sendable, Hashable {
    public var tokenID: Int64
    public var kind: OutboxEvent.Kind
    public var body: String
    public var createdAt: Date

    public init(tokenID: Int64, kind: OutboxEvent.Kind, body: String, createdAt: Date) {
        self.tokenID = tokenID
        self.kind = kind
        self.body = body
        self.createdAt = createdAt
    }

    /// The events of a written page: one per kind of change that has devices, in the order added, modified, removed.
    public static func devices(
        token: EnrollmentToken,
        added: [String],
        modified: [String],
        removed: [String],
        at date: Date
    ) -> [PendingEvent] {
        [(OutboxEvent.Kind.devicesAdded, added), (.devicesModified, modified), (.devicesRemoved, removed)]
            .compactMap { kind, serials in
                guard !serials.isEmpty else { return nil }
                return PendingEvent(
                    tokenID: token.id,
                    kind: kind,
                    body: Self.devicesJSON(token: token.name, serials: serials.sorted()),
                    createdAt: date
                )
            }
    }

    /// The event of assignment outcomes of one token.
    public static func assignments(token: EnrollmentToken, records: [DeviceAssignment], at date: Date) -> PendingEvent?
    {
        guard !records.isEmpty else { return nil }
        return PendingEvent(
            tokenID: token.id,
            kind: .assignmentResults,
            body: Self.assignmentsJSON(
                token: token.name,
                records: records.sorted { $0.serialNumber < $1.serialNumber }
            ),
            createdAt: date
        )
    }

    /// The event of a token's change of state.
    public static func tokenState(token: EnrollmentToken, transition: TokenTransition) -> PendingEvent {
        PendingEvent(
            tokenID: token.id,
            kind: .tokenStateChanged,
            body: Self.json(TokenStateBody(token: token.name, transition: transition)),
            createdAt: transition.at
        )
    }

    /// The event of a step of the expiry ladder.
    public static func expiryReminder(token: EnrollmentToken, reminder: ExpiryReminder) -> PendingEvent {
        PendingEvent(
            tokenID: token.id,
            kind: .tokenExpiryReminder,
            body: Self.json(ReminderBody(token: token.name, reminder: reminder)),
            createdAt: reminder.at
        )
    }

    /// `{"serial_numbers":[…],"token":"…"}`, as JSONEncoder writes it with sorted keys, written directly: every page
    /// of a sync writes one (a million devices, a thousand pages), and JSONEncoder cost a millisecond each.
    static func devicesJSON(token: String, serials: [String]) -> String {
        var json: [UInt8] = Array(#"{"serial_numbers":["#.utf8)
        json.reserveCapacity(40 + token.utf8.count + serials.count * 16)
        for (index, serial) in serials.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.quote(serial, into: &json)
        }
        json += Array(#"],"token":"#.utf8)
        JSONText.quote(token, into: &json)
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }

    /// `{"assignments":[{"profile_uuid":…,"result":…,"serial_number":…,"status":…},…],"token":"…"}`, as JSONEncoder
    /// writes ``AssignmentsBody`` with sorted keys (absent values left out), written directly: every Assign a Profile
    /// call of a sync writes one of up to 1000 entries.
    static func assignmentsJSON(token: String, records: [DeviceAssignment]) -> String {
        var json: [UInt8] = Array(#"{"assignments":["#.utf8)
        json.reserveCapacity(40 + token.utf8.count + records.count * 110)
        for (index, record) in records.enumerated() {
            json += Array((index > 0 ? ",{" : "{").utf8)
            if let uuid = record.profileUUID {
                json += Array(#""profile_uuid":"#.utf8)
                JSONText.quote(uuid, into: &json)
                json.append(UInt8(ascii: ","))
            }
            if let result = record.lastResult {
                json += Array(#""result":"#.utf8)
                JSONText.quote(result, into: &json)
                json.append(UInt8(ascii: ","))
            }
            json += Array(#""serial_number":"#.utf8)
            JSONText.quote(record.serialNumber, into: &json)
            json += Array(#","status":"#.utf8)
            JSONText.quote(record.status.rawValue, into: &json)
            json.append(UInt8(ascii: "}"))
        }
        json += Array(#"],"token":"#.utf8)
        JSONText.quote(token, into: &json)
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }

    struct DevicesBody: Encodable {
        var token: String
        var serialNumbers: [String]

        enum CodingKeys: String, CodingKey {
            case token
            case serialNumbers = "serial_numbers"
        }
    }

    /// The transition's fields with the token's name.
    struct TokenStateBody: Encodable {
        var token: String
        var transition: TokenTransition

        enum CodingKeys: String, CodingKey {
            case token
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
            try transition.encode(to: encoder)
        }
    }

    /// The reminder's fields with the token's name.
    struct ReminderBody: Encodable {
        var token: String
        var reminder: ExpiryReminder

        enum CodingKeys: String, CodingKey {
            case token
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
            try reminder.encode(to: encoder)
        }
    }

    struct AssignmentsBody: Encodable {
        struct Entry: Encodable {
            var serialNumber: String
            var status: String
            var result: String?
            var profileUUID: String?

            enum CodingKeys: String, CodingKey {
                case status, result
                case serialNumber = "serial_number"
                case profileUUID = "profile_uuid"
            }
        }

        var token: String
        var assignments: [Entry]
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and arrays of strings only: encoding cannot fail.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
