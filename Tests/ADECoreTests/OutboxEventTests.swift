import Foundation
import Testing

@testable import ADECore

struct OutboxEventTests {
    @Test func devicesJSONIsWhatJSONEncoderWrites() {
        let names = ["Campus iPads", #"Quote " and \ back"#, "Tab\tnew\nline\u{01}\u{1F}", "Café / 東京"]
        for name in names {
            let serials = ["C02XL0GUJGH5", name, "A\"B"]
            #expect(
                PendingEvent.devicesJSON(token: name, serials: serials)
                    == PendingEvent.json(PendingEvent.DevicesBody(token: name, serialNumbers: serials))
            )
        }
    }

    @Test func assignmentsJSONIsWhatJSONEncoderWrites() {
        let records = [
            DeviceAssignment(
                tokenID: 1,
                serialNumber: "C02XL0GUJGH5",
                status: .assigned,
                profileUUID: "9A6C5B2E",
                lastResult: "SUCCESS",
                updatedAt: Date()
            ),
            DeviceAssignment(tokenID: 1, serialNumber: #"Odd "serial" \ é"#, status: .pending, updatedAt: Date()),
            DeviceAssignment(tokenID: 1, serialNumber: "X", status: .failed, lastResult: "FAILED", updatedAt: Date()),
        ]
        for name in ["Campus iPads", "Tab\tnew\nline\u{01}", "Café / 東京"] {
            let body = PendingEvent.AssignmentsBody(
                token: name,
                assignments: records.map {
                    .init(
                        serialNumber: $0.serialNumber,
                        status: $0.status.rawValue,
                        result: $0.lastResult,
                        profileUUID: $0.profileUUID
                    )
                }
            )
            #expect(PendingEvent.assignmentsJSON(token: name, records: records) == PendingEvent.json(body))
        }
    }

    @Test func aPageGivesOneEventPerKindOfChange() {
        let token = EnrollmentToken(
            id: 7,
            name: "T",
            baseURL: URL(string: "https://mdmenrollment.apple.com")!,
            createdAt: Date()
        )
        let events = PendingEvent.devices(token: token, added: ["B", "A"], modified: [], removed: ["C"], at: Date())
        #expect(events.map(\.kind) == [.devicesAdded, .devicesRemoved])
        #expect(events[0].body == #"{"serial_numbers":["A","B"],"token":"T"}"#)
        #expect(events.allSatisfy { $0.tokenID == 7 })
    }
}
