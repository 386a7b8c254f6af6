public import ADESupport
public import DEPClient
import Foundation
public import Logging

/// Refreshes stored devices from Apple's details (`POST /devices`) on an admin's demand, between syncs: what Apple
/// shows now (profile status, assignment, fields) replaces what was stored, as a sync page would, with its events.
public struct DeviceRefresher: Sendable {
    /// What a refresh did.
    public struct Report: Sendable, Hashable {
        /// Apple's answer per serial: `SUCCESS`, or why it gave no details (`NOT_ACCESSIBLE`: not assigned to this
        /// MDM server in ABM; `NOT_FOUND`: no device of that serial number).
        public var results: [String: DeviceResult] = [:]
        /// What changed in the store.
        public var changes = PageChanges()
        /// Serials Apple gave details of that the token does not have yet (its next sync brings them).
        public var notStored: [String] = []

        public init() {}
    }

    let tokens: TokenService
    let store: any DeviceSyncStore
    let timeSource: any TimeSource
    let logger: Logger

    public init(tokens: TokenService, store: any DeviceSyncStore, timeSource: any TimeSource, logger: Logger) {
        self.tokens = tokens
        self.store = store
        self.timeSource = timeSource
        self.logger = logger
    }

    /// Asks Apple for the details of `serialNumbers` of a token, in calls of at most 1000, and stores them.
    /// - Throws: ``StoreError`` `not_found` for the token; ``DEPError`` when a call fails (earlier batches stay).
    public func refresh(token name: String, serialNumbers: [String]) async throws -> Report {
        let token = try await tokens.token(named: name)
        let server = try await tokens.server(for: token)
        var seen: Set<String> = []
        let serials = serialNumbers.filter { !$0.isEmpty && seen.insert($0).inserted }
        var report = Report()
        for start in stride(from: 0, to: serials.count, by: DEPClient.maximumSerialsPerCall) {
            let batch = Array(serials[start..<min(start + DEPClient.maximumSerialsPerCall, serials.count)])
            let response = try await tokens.client.deviceDetails(server, serials: batch)
            var details: [DeviceRecord] = []
            for serial in batch {
                guard let device = response.devices[serial] else {
                    report.results[serial] = .notFound
                    continue
                }
                let result = device.responseStatus ?? .success
                report.results[serial] = result
                if result == .success { details.append(DeviceRecord(device)) }
            }
            for device in details
            where try await store.device(tokenID: token.id, serial: device.serialNumber) == nil {
                report.notStored.append(device.serialNumber)
            }
            let changes = try await store.applyDetails(details, tokenID: token.id, now: timeSource.now())
            report.changes.added += changes.added
            report.changes.modified += changes.modified
            report.changes.removed += changes.removed
        }
        logger.notice(
            "Refreshed device details",
            metadata: [
                "token": "\(token.name)", "devices": "\(serials.count)", "modified": "\(report.changes.modified)",
            ]
        )
        return report
    }
}
