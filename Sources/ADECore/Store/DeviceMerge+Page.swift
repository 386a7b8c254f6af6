public import Foundation

extension DeviceMerge {
    /// What a page of Apple's records does to a token's stored devices: ``merge(_:into:tokenID:generation:now:)``
    /// applied record by record (a serial may come twice in a page), with what every store then writes — the rows
    /// that changed, the moves of the token's device counts, the serials of each event.
    public struct Page: Sendable {
        public var changes = PageChanges()
        /// Each serial's device after the page, for the serials whose row changed.
        public var changed: [String: StoredDevice] = [:]
        /// How the token's count of present devices moves.
        public var presentDelta = 0
        /// How the token's count of all devices (rows) moves.
        public var allDelta = 0
        public var added: Set<String> = []
        public var modified: Set<String> = []
        public var removed: Set<String> = []

        public init() {}

        /// Counts devices a completed full fetch did not see, which the store marked removed.
        public mutating func removedByFetch(_ serials: [String]) {
            changes.removed += serials.count
            presentDelta -= serials.count
            removed.formUnion(serials)
        }

        /// The page's events (`devices.added`, `.modified`, `.removed`), to append in the page's transaction.
        public func events(token: EnrollmentToken, at date: Date) -> [PendingEvent] {
            PendingEvent.devices(
                token: token,
                added: Array(added),
                modified: Array(modified.subtracting(added)),
                removed: Array(removed),
                at: date
            )
        }
    }

    /// Merges a page into the stored devices of its serials.
    /// - Parameters:
    ///   - records: Apple's records, in the page's order.
    ///   - existing: The stored devices of the page's serials (others may be there too).
    ///   - generation: The full fetch that saw the records; nil: details of stored devices only (devices the token
    ///     does not have are left alone, and each keeps its generation).
    public static func page(
        _ records: [DeviceRecord],
        existing: [String: StoredDevice],
        tokenID: Int64,
        generation: Int?,
        now: Date
    ) -> Page {
        var current = existing
        var page = Page()
        for record in records {
            let before = current[record.serialNumber]
            if generation == nil, before == nil { continue }
            let (device, change) = merge(
                record,
                into: before,
                tokenID: tokenID,
                generation: generation ?? before?.fetchGeneration ?? 0,
                now: now
            )
            count(change, into: &page.changes)
            switch change {
            case .added: page.added.insert(record.serialNumber)
            case .modified: page.modified.insert(record.serialNumber)
            case .removed: page.removed.insert(record.serialNumber)
            case .stale, .unchanged: break
            }
            if change != .stale, device != before {
                current[record.serialNumber] = device
                page.changed[record.serialNumber] = device
                if before == nil { page.allDelta += 1 }
                page.presentDelta +=
                    (device.removedAt == nil ? 1 : 0) - (before.map { $0.removedAt == nil ? 1 : 0 } ?? 0)
            }
        }
        return page
    }
}
