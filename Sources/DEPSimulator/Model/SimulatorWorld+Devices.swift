import ADESupport
import DEPClient
import Foundation

extension SimulatorWorld {
    /// A page of fetch or sync, ready to be written.
    struct Page: Sendable {
        var records: [DeviceRecord]
        var cursor: String
        var moreToFollow: Bool
        var fetchedUntil: Date
    }

    func record(server number: Int, serial: String) -> DeviceRecord? {
        guard let source = servers[number].source(of: serial) else { return nil }
        return DeviceRecord(
            generator: servers[source.generator].generator,
            index: source.index,
            state: servers[number].states[serial]
        )
    }

    /// The fixed attributes of a serial of any server, whether it is assigned anywhere or not.
    func anyRecord(serial: String) -> DeviceRecord? {
        for server in servers {
            if let index = server.generator.index(of: serial), index < server.deviceCount {
                return DeviceRecord(generator: server.generator, index: index)
            }
        }
        return nil
    }

    func pageLimit(_ requested: Int?) -> Int {
        min(max(requested ?? configuration.defaultPageLimit, 1), configuration.maximumPageLimit)
    }

    /// Reads a cursor sent by a client: `INVALID_CURSOR` when it is not this server's current one,
    /// `EXPIRED_CURSOR` past its lifetime.
    func readCursor(_ text: String, server number: Int, now: Date) throws(AppleFailure) -> SimulatorCursor {
        guard let cursor = SimulatorCursor.decode(text, key: cursorKey), cursor.server == number,
            cursor.generation == servers[number].cursorGeneration
        else {
            throw AppleFailure(400, "INVALID_CURSOR")
        }
        guard now.timeIntervalSince(cursor.issued) <= TimeInterval(configuration.cursorLifetimeSeconds) else {
            throw AppleFailure(400, "EXPIRED_CURSOR")
        }
        return cursor
    }

    /// `POST /server/devices`.
    mutating func fetch(server number: Int, request: DevicePageRequest, now: Date) throws(AppleFailure) -> Page {
        advanceChurn(server: number, now: now)
        let server = servers[number]
        var cursor: SimulatorCursor
        if let text = request.cursor, !text.isEmpty {
            cursor = try readCursor(text, server: number, now: now)
            guard cursor.kind == .fetch, cursor.position < cursor.generated + cursor.arrivals else {
                throw AppleFailure(400, "EXHAUSTED_CURSOR")
            }
            if server.faults.sameCursorBug {
                return Page(records: [], cursor: text, moreToFollow: true, fetchedUntil: now)
            }
        } else {
            cursor = SimulatorCursor(
                kind: .fetch,
                server: number,
                position: 0,
                generated: server.deviceCount,
                arrivals: server.arrivalOrder.count,
                seq: server.events.count,
                issued: now,
                generation: server.cursorGeneration
            )
        }
        let limit = pageLimit(request.limit)
        var records: [DeviceRecord] = []
        records.reserveCapacity(limit)
        var position = cursor.position
        let total = cursor.generated + cursor.arrivals
        // Untouched generated devices need no serial lookup: the fast path of a large fetch.
        let untouched = server.gone.isEmpty && server.states.isEmpty
        while position < total, records.count < limit {
            if position < cursor.generated {
                if untouched {
                    records.append(DeviceRecord(generator: server.generator, index: position))
                } else {
                    let serial = server.generator.serial(position)
                    if !server.gone.contains(serial) {
                        records.append(
                            DeviceRecord(generator: server.generator, index: position, state: server.states[serial])
                        )
                    }
                }
            } else {
                let serial = server.arrivalOrder[position - cursor.generated]
                if let record = record(server: number, serial: serial) { records.append(record) }
            }
            position += 1
        }
        let more = position < total
        cursor.position = position
        cursor.issued = now
        if !more { cursor.kind = .sync }
        let next =
            more
            ? cursor
            : SimulatorCursor(
                kind: .sync,
                server: number,
                position: cursor.seq,
                generated: 0,
                arrivals: 0,
                seq: cursor.seq,
                issued: now,
                generation: cursor.generation
            )
        return Page(records: records, cursor: next.encode(key: cursorKey), moreToFollow: more, fetchedUntil: now)
    }

    /// `POST /devices/sync`.
    mutating func sync(server number: Int, request: DevicePageRequest, now: Date) throws(AppleFailure) -> Page {
        guard let text = request.cursor, !text.isEmpty else {
            throw AppleFailure(400, "CURSOR_REQUIRED")
        }
        advanceChurn(server: number, now: now)
        var cursor = try readCursor(text, server: number, now: now)
        guard cursor.kind == .sync else { throw AppleFailure(400, "INVALID_CURSOR") }
        let server = servers[number]
        if server.faults.sameCursorBug {
            return Page(records: [], cursor: text, moreToFollow: true, fetchedUntil: now)
        }
        let limit = pageLimit(request.limit)
        let end = min(server.events.count, cursor.position + limit)
        var records: [DeviceRecord] = []
        for event in server.events[min(cursor.position, end)..<end] {
            guard var record = record(server: number, serial: event.serial) ?? anyRecord(serial: event.serial) else {
                continue
            }
            record.opType = event.opType
            record.opDate = event.opDate
            if event.opType == .deleted { record.state = nil }
            records.append(record)
        }
        cursor.position = end
        cursor.seq = end
        cursor.issued = now
        return Page(
            records: records,
            cursor: cursor.encode(key: cursorKey),
            moreToFollow: end < server.events.count,
            fetchedUntil: now
        )
    }

    // MARK: - Churn

    /// Applies the configured daily churn for every whole hour since it was last applied.
    mutating func advanceChurn(server number: Int, now: Date) {
        let churn = servers[number].churnPerDay
        guard churn.added + churn.modified + churn.deleted > 0 else {
            servers[number].lastChurnAt = now
            return
        }
        let hours = Int(now.timeIntervalSince(servers[number].lastChurnAt) / 3600)
        guard hours > 0 else { return }
        // A clock advanced by years still ends: at most 10 simulated years of churn are applied.
        for hour in 0..<min(hours, 24 * 3650) {
            let at = servers[number].lastChurnAt.addingTimeInterval(TimeInterval(hour + 1) * 3600)
            let slot = Int(at.timeIntervalSince1970 / 3600)
            func share(_ perDay: Int) -> Int { (perDay * (slot + 1)) / 24 - (perDay * slot) / 24 }
            applyChurn(
                server: number,
                added: share(churn.added),
                modified: share(churn.modified),
                deleted: share(churn.deleted),
                at: at,
                window: 3600
            )
        }
        servers[number].lastChurnAt = servers[number].lastChurnAt.addingTimeInterval(TimeInterval(hours) * 3600)
    }

    /// Devices added to, modified in and deleted from a server in ABM, recorded in its sync stream with `op_date`s
    /// spread evenly up to `now` over `window` seconds (never before the last recorded event). About one modification
    /// in ten is reported twice, a second apart (less when events are closer), as Apple sometimes does; the later
    /// `op_date` wins.
    mutating func applyChurn(
        server number: Int,
        added: Int,
        modified: Int,
        deleted: Int,
        at now: Date,
        window: TimeInterval? = nil
    ) {
        let total = max(0, added) + max(0, modified) + max(0, deleted)
        guard total > 0 else { return }
        // Events happen after the ones already recorded, as in ABM: the window never reaches back before the last
        // event, so a later event never carries an older `op_date` than an earlier one of the same device.
        let last = servers[number].events.last?.opDate ?? .distantPast
        let span = max(0, min(window ?? TimeInterval(total), now.timeIntervalSince(last)))
        let step = span / TimeInterval(total)
        var sequence = 0
        func nextDate() -> Date {
            sequence += 1
            return now.addingTimeInterval(-span + step * TimeInterval(sequence))
        }
        for _ in 0..<max(0, added) {
            let index = servers[number].deviceCount
            servers[number].deviceCount += 1
            let serial = servers[number].generator.serial(index)
            servers[number].events.append(.init(serial: serial, opType: .added, opDate: nextDate()))
        }
        for _ in 0..<max(0, modified) {
            guard let serial = randomPresentSerial(server: number) else { break }
            let date = nextDate()
            servers[number].events.append(.init(serial: serial, opType: .modified, opDate: date))
            if roll() < 0.1 {
                servers[number].events.append(
                    .init(serial: serial, opType: .modified, opDate: date.addingTimeInterval(min(1, step)))
                )
            }
        }
        for _ in 0..<max(0, deleted) {
            guard let serial = randomPresentSerial(server: number) else { break }
            servers[number].gone.insert(serial)
            servers[number].events.append(.init(serial: serial, opType: .deleted, opDate: nextDate()))
        }
    }

    private mutating func randomPresentSerial(server number: Int) -> String? {
        let server = servers[number]
        guard server.deviceCount > server.gone.count else { return nil }
        for _ in 0..<64 {
            let serial = server.generator.serial(Int(random.next() % UInt64(max(server.deviceCount, 1))))
            if !server.gone.contains(serial) { return serial }
        }
        return nil
    }

    // MARK: - Details, disown, activation lock, replacement

    /// `POST /devices`.
    func details(server number: Int, serials: [String]) throws(AppleFailure) -> [String: Device] {
        guard !serials.isEmpty else { throw AppleFailure(400, "DEVICE_ID_REQUIRED") }
        var result: [String: Device] = [:]
        for serial in serials {
            if var record = record(server: number, serial: serial) {
                record.responseStatus = .success
                result[serial] = record.device
            } else {
                let owned = servers.contains { $0.source(of: serial) != nil }
                var device = Device(serialNumber: serial)
                device.responseStatus = owned ? .notAccessible : .notFound
                result[serial] = device
            }
        }
        return result
    }

    /// `POST /devices/disown`: the devices leave the organisation for good.
    mutating func disown(server number: Int, serials: [String], now: Date) throws(AppleFailure) -> [String:
        DeviceResult]
    {
        guard !serials.isEmpty else { throw AppleFailure(400, "DEVICE_ID_REQUIRED") }
        var result: [String: DeviceResult] = [:]
        for serial in serials {
            guard servers[number].source(of: serial) != nil else {
                result[serial] = .notAccessible
                continue
            }
            servers[number].gone.insert(serial)
            servers[number].events.append(.init(serial: serial, opType: .deleted, opDate: now))
            result[serial] = .success
        }
        return result
    }

    /// `POST /device/activationlock`.
    mutating func activationLock(server number: Int, request: ActivationLockRequest) -> ActivationLockResponse {
        guard let record = record(server: number, serial: request.device) else {
            return ActivationLockResponse(serialNumber: request.device, responseStatus: .notAccessible)
        }
        let status: ActivationLockResult
        if record.generator.attributes(record.index).family == .mac {
            status = .deviceNotSupported
        } else if servers[number].lockedSerials.contains(request.device) {
            status = .deviceAlreadyLocked
        } else if let key = request.escrowKey, key.count != 64 || !key.allSatisfy(\.isHexDigit) {
            // The escrow key is the hex PBKDF2 hash of the bypass code: 64 hex digits.
            status = .failed
        } else {
            servers[number].lockedSerials.insert(request.device)
            status = .success
        }
        return ActivationLockResponse(serialNumber: request.device, responseStatus: status)
    }

    /// `GET /device/replacementDetails`: about one device in 500 is a replacement.
    func replacementDetails(server number: Int, serial: String) throws(AppleFailure) -> ReplacementDetails {
        guard let record = record(server: number, serial: serial), record.index % 499 == 7 else {
            throw AppleFailure(404, "DEVICE_NOT_FOUND")
        }
        let date = record.generator.attributes(record.index).assignedDate
        return ReplacementDetails(
            serialNumber: serial,
            originalDeviceSerialNumber: record.generator.serial(record.index + 50_000_000),
            replacementDate: String(Timestamp.format(date).prefix(10))
        )
    }

    // MARK: - Moves between servers (ABM)

    /// Reassigns devices to another server of the organisation: the old server's stream says `deleted`, the new
    /// one's `modified` with the profile removed.
    mutating func move(serials: [String], to target: Int, now: Date) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for serial in serials {
            guard let from = servers.firstIndex(where: { $0.source(of: serial) != nil }), from != target,
                let source = servers[from].source(of: serial)
            else {
                result[serial] = false
                continue
            }
            servers[from].gone.insert(serial)
            servers[from].events.append(.init(serial: serial, opType: .deleted, opDate: now))
            servers[target].gone.remove(serial)
            if servers[target].source(of: serial) == nil {
                servers[target].arrivals[serial] = .init(originServer: source.generator, originIndex: source.index)
                servers[target].arrivalOrder.append(serial)
            }
            servers[target].states[serial] = .init(profileStatus: .removed)
            servers[target].events.append(.init(serial: serial, opType: .modified, opDate: now))
            result[serial] = true
        }
        return result
    }
}
