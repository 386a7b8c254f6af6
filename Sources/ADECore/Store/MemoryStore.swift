public import ADESupport
public import Foundation
import Synchronization

/// An ``ADEStore`` in memory, for tests and for trying `ade` without a database. Nothing survives the process.
public actor MemoryStore: ADEStore {
    private var nextTokenID: Int64 = 1
    private var nextRunID: Int64 = 1
    private var tokenRows: [Int64: EnrollmentToken] = [:]
    private var secretRows: [Int64: SealedTokenSecrets] = [:]
    private var checkValue: String?
    private var cursors: [Int64: SyncCursorState] = [:]
    private var deviceRows: [Int64: [String: StoredDevice]] = [:]
    private var runRows: [Int64: SyncRun] = [:]
    private var leases: [Int64: SyncLease] = [:]
    private var syncRequestRows: [Int64: Date] = [:]
    private var nodeRows: [String: ClusterNode] = [:]
    private var attemptRows: [(kind: AttemptKind, key: String, at: Date)] = []
    private var setupLinks: Set<String> = []
    private var nextUserID: Int64 = 1
    private var userRows: [Int64: ConsoleUser] = [:]
    private var sessions: [String: ConsoleSession] = [:]
    private var nextAPITokenID: Int64 = 1
    private var apiTokenRows: [Int64: APIToken] = [:]
    private var nextProfileID: Int64 = 1
    private var profileRows: [Int64: StoredProfile] = [:]
    private var defaultRows: [Int64: [DeviceFamily?: Int64]] = [:]
    private var assignmentRows: [Int64: [String: DeviceAssignment]] = [:]
    private var outbox: [OutboxEvent] = []
    private var transitionRows: [Int64: [TokenTransition]] = [:]
    private var webhookRows: [Int64: WebhookEndpoint] = [:]
    private var deliveryClaims: [Int64: DeliveryClaim] = [:]
    private var nextWebhookID: Int64 = 1
    private var deliveryLog: [WebhookDelivery] = []
    private var nextEventID: Int64 = 1
    private var reminders: Set<ReminderKey> = []
    private var auditLog: [AuditEntry] = []

    private struct ReminderKey: Hashable {
        var tokenID: Int64
        var expiresAt: Date
        var step: Int
    }

    /// An empty store.
    public init() {}

    private let stamps = Atomic<UInt64>(0)

    /// A new value on every call: the memory store does not track its changes, so nothing is answered from memory.
    public nonisolated func changeStamp() -> UInt64 {
        stamps.add(1, ordering: .relaxed).newValue
    }

    // MARK: - Tokens

    public func createToken(name: String, baseURL: URL, createdAt: Date) throws -> EnrollmentToken {
        guard token(named: name) == nil else { throw StoreError(.duplicateName, parameters: ["name": name]) }
        let token = EnrollmentToken(id: nextTokenID, name: name, baseURL: baseURL, createdAt: createdAt)
        nextTokenID += 1
        tokenRows[token.id] = token
        return token
    }

    public func token(id: Int64) -> EnrollmentToken? { tokenRows[id] }

    public func token(named name: String) -> EnrollmentToken? {
        tokenRows.values.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func token(serverUUID: String) -> EnrollmentToken? {
        tokenRows.values.first { $0.serverUUID == serverUUID }
    }

    public func tokens() -> [EnrollmentToken] {
        tokenRows.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func tokens(after name: String?, limit: Int) -> [EnrollmentToken] {
        Array(tokens().filter { name == nil || $0.name.lowercased() > name!.lowercased() }.prefix(max(0, limit)))
    }

    public func updateToken(_ token: EnrollmentToken) throws {
        guard tokenRows[token.id] != nil else {
            throw StoreError(.notFound, parameters: ["name": token.name])
        }
        if let other = self.token(named: token.name), other.id != token.id {
            throw StoreError(.duplicateName, parameters: ["name": token.name])
        }
        if let uuid = token.serverUUID, let other = self.token(serverUUID: uuid), other.id != token.id {
            throw StoreError(.duplicateServer, parameters: ["name": other.name])
        }
        var updated = token
        // The recorded state moves only with a run (``finishRun(_:transition:)``).
        updated.recordedState = tokenRows[token.id]?.recordedState
        updated.recordedStateSince = tokenRows[token.id]?.recordedStateSince
        tokenRows[token.id] = updated
    }

    public func deleteToken(id: Int64) {
        tokenRows[id] = nil
        secretRows[id] = nil
        cursors[id] = nil
        deviceRows[id] = nil
        transitionRows[id] = nil
        leases[id] = nil
        syncRequestRows[id] = nil
        runRows = runRows.filter { $0.value.tokenID != id }
        profileRows = profileRows.filter { $0.value.tokenID != id }
        defaultRows[id] = nil
        assignmentRows[id] = nil
        reminders = reminders.filter { $0.tokenID != id }
    }

    // MARK: - Secrets

    public func keyCheckValue() -> String? { checkValue }
    public func setKeyCheckValue(_ value: String) { checkValue = value }
    public func hasSecrets() -> Bool { secretRows.values.contains { !$0.isEmpty } || !webhookRows.isEmpty }
    public func secrets(tokenID: Int64) -> SealedTokenSecrets { secretRows[tokenID] ?? SealedTokenSecrets() }

    public func setSecrets(_ secrets: SealedTokenSecrets, tokenID: Int64, sealedWith keyCheck: String?) throws {
        guard tokenRows[tokenID] != nil else { throw StoreError(.notFound, parameters: ["name": String(tokenID)]) }
        try checkKey(keyCheck)
        secretRows[tokenID] = secrets
    }

    /// ``KeyRotation/admit(sealedWith:stored:)``.
    private func checkKey(_ keyCheck: String?) throws {
        if let first = try KeyRotation.admit(sealedWith: keyCheck, stored: checkValue) { checkValue = first }
    }

    public func resealAll(newKeyCheckValue: String, _ reseal: KeyRotation.Reseal) throws {
        var resealed: [Int64: SealedTokenSecrets] = [:]
        for (id, secrets) in secretRows {
            resealed[id] = try KeyRotation.reseal(secrets, tokenID: id, with: reseal)
        }
        var webhooks = webhookRows
        for (id, var webhook) in webhookRows {
            (webhook.sealedURL, webhook.sealedSecret) = try KeyRotation.resealWebhook(
                url: webhook.sealedURL,
                secret: webhook.sealedSecret,
                with: reseal
            )
            webhooks[id] = webhook
        }
        secretRows = resealed
        webhookRows = webhooks
        checkValue = newKeyCheckValue
    }

    // MARK: - Devices and cursor

    public func cursor(tokenID: Int64) -> SyncCursorState? { cursors[tokenID] }

    public func setCursor(_ cursor: SyncCursorState?, tokenID: Int64) { cursors[tokenID] = cursor }

    public func applyPage(
        _ records: [DeviceRecord],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        lease: LeaseRenewal?,
        now: Date
    ) throws -> PageChanges {
        guard tokenRows[tokenID] != nil else { throw StoreError(.notFound, parameters: ["name": String(tokenID)]) }
        if let lease, !renewLease(tokenID: tokenID, holder: lease.holder, until: lease.until) {
            throw StoreError(.leaseLost, parameters: ["token": String(tokenID)])
        }
        var rows = deviceRows[tokenID] ?? [:]
        var page = DeviceMerge.page(
            records,
            existing: rows,
            tokenID: tokenID,
            generation: cursor.fetchGeneration,
            now: now
        )
        rows.merge(page.changed) { $1 }
        if completesFetch {
            let gone = rows.values.filter { $0.removedAt == nil && $0.fetchGeneration < cursor.fetchGeneration }
                .map(\.serialNumber)
            for serial in gone {
                rows[serial]?.removedAt = now
                rows[serial]?.updatedAt = now
            }
            page.removedByFetch(gone)
        }
        deviceRows[tokenID] = rows
        cursors[tokenID] = cursor
        if let token = tokenRows[tokenID] { append(page.events(token: token, at: now)) }
        let changes = page.changes
        if let runID = lease?.runID, var run = runRows[runID], run.outcome == .running {
            run.pages += 1
            run.added += changes.added
            run.modified += changes.modified
            run.removed += changes.removed
            runRows[runID] = run
        }
        return changes
    }

    public func applyDetails(_ records: [DeviceRecord], tokenID: Int64, now: Date) throws -> PageChanges {
        guard let token = tokenRows[tokenID] else { throw StoreError(.notFound, parameters: ["name": String(tokenID)]) }
        var rows = deviceRows[tokenID] ?? [:]
        let page = DeviceMerge.page(records, existing: rows, tokenID: tokenID, generation: nil, now: now)
        rows.merge(page.changed) { $1 }
        deviceRows[tokenID] = rows
        append(page.events(token: token, at: now))
        return page.changes
    }

    public func devices(tokenID: Int64, matching query: DeviceQuery, after serial: String?, limit: Int)
        -> [StoredDevice]
    {
        let rows = (deviceRows[tokenID] ?? [:]).values
            .filter { device in query.matches(device) && (serial.map { device.serialNumber > $0 } ?? true) }
            .sorted { $0.serialNumber < $1.serialNumber }
        return Array(rows.prefix(max(0, limit)))
    }

    public func devices(tokenNamed name: String, matching query: DeviceQuery, after serial: String?, limit: Int)
        -> (token: EnrollmentToken, devices: [StoredDevice])?
    {
        guard let token = token(named: name) else { return nil }
        return (token, devices(tokenID: token.id, matching: query, after: serial, limit: limit))
    }

    public func device(tokenID: Int64, serial: String) -> StoredDevice? {
        deviceRows[tokenID]?[serial]
    }

    public func storedSerials(tokenID: Int64, among serials: [String]) -> Set<String> {
        let rows = deviceRows[tokenID] ?? [:]
        return Set(serials.filter { rows[$0] != nil })
    }

    public func highestFetchGeneration(tokenID: Int64) -> Int {
        (deviceRows[tokenID] ?? [:]).values.map(\.fetchGeneration).max() ?? 0
    }

    public func deviceCounts(tokenIDs: [Int64]?) -> [Int64: Int] {
        let wanted = tokenIDs.map(Set.init)
        return deviceRows.filter { wanted?.contains($0.key) ?? true }.compactMapValues { rows in
            let present = rows.values.filter { $0.removedAt == nil }.count
            return present == 0 ? nil : present
        }
    }

    public func deviceCount(tokenID: Int64, includeRemoved: Bool) -> Int {
        (deviceRows[tokenID] ?? [:]).values.filter { includeRemoved || $0.removedAt == nil }.count
    }

    // MARK: - Runs

    public func startRun(tokenID: Int64, kind: SyncRun.Kind, at date: Date) -> SyncRun {
        let run = SyncRun(id: nextRunID, tokenID: tokenID, kind: kind, startedAt: date)
        nextRunID += 1
        runRows[run.id] = run
        return run
    }

    public func updateRun(_ run: SyncRun) { runRows[run.id] = run }

    public func finishRun(_ run: SyncRun, transition: TokenTransition?) {
        runRows[run.id] = run
        if let transition { _ = recordTransition(transition, tokenID: run.tokenID) }
    }

    public func recordTransition(_ transition: TokenTransition, tokenID: Int64) -> Bool {
        guard var token = tokenRows[tokenID], token.recordedState == transition.from else { return false }
        token.recordedState = transition.to
        token.recordedStateSince = transition.at
        tokenRows[token.id] = token
        transitionRows[token.id, default: []].append(transition)
        append([PendingEvent.tokenState(token: token, transition: transition)])
        return true
    }

    public func recordExpiryReminder(_ reminder: ExpiryReminder, tokenID: Int64) -> Bool {
        guard let token = tokenRows[tokenID],
            reminders.insert(ReminderKey(tokenID: tokenID, expiresAt: reminder.expiresAt, step: reminder.step))
                .inserted
        else { return false }
        append([PendingEvent.expiryReminder(token: token, reminder: reminder)])
        return true
    }

    public func appendAudit(_ entry: AuditEntry) -> AuditEntry {
        var entry = entry
        entry.id = Int64(auditLog.count + 1)
        auditLog.append(entry)
        return entry
    }

    public func auditEntries(after id: Int64, limit: Int) -> [AuditEntry] {
        Array(auditLog.filter { $0.id > id }.prefix(max(0, limit)))
    }

    public func recentAudit(before id: Int64?, limit: Int) -> [AuditEntry] {
        Array(auditLog.reversed().filter { id == nil || $0.id < id! }.prefix(max(0, limit)))
    }

    public func tokenFacts(tokenIDs: [Int64]?) -> [Int64: TokenFacts] {
        let failing: Set<DeviceAssignment.Status> = [.failed, .notAccessible, .needsAttention]
        return (tokenIDs ?? Array(tokenRows.keys)).reduce(into: [:]) { facts, id in
            guard tokenRows[id] != nil else { return }
            let runs = runRows.values.filter { $0.tokenID == id }
            let lastSuccess = runs.filter { $0.outcome == .succeeded }.map(\.id).max() ?? 0
            facts[id] = TokenFacts(
                failureStreak: runs.filter { $0.outcome == .failed && $0.id > lastSuccess }.count,
                recoverySince: cursors[id]?.recoverySince,
                failingAssignments: (assignmentRows[id] ?? [:]).values.filter { failing.contains($0.status) }.count,
                presentDevices: deviceCount(tokenID: id, includeRemoved: false),
                hasDefaultProfile: !(defaultRows[id] ?? [:]).isEmpty
            )
        }
    }

    public func transitions(tokenID: Int64, limit: Int) -> [TokenTransition] {
        Array((transitionRows[tokenID] ?? []).reversed().prefix(max(0, limit)))
    }

    public func pruneRuns(tokenID: Int64, keeping: Int) -> Int {
        let old = runRows.values.filter { $0.tokenID == tokenID }.sorted { $0.id > $1.id }.dropFirst(max(0, keeping))
        for run in old { runRows[run.id] = nil }
        return old.count
    }

    public func latestRuns() -> [Int64: SyncRun] {
        runRows.values.reduce(into: [:]) { latest, run in
            if (latest[run.tokenID]?.id ?? .min) < run.id { latest[run.tokenID] = run }
        }
    }

    public func runSummaries(tokenIDs: [Int64]?) -> [Int64: RunSummary] {
        let wanted = tokenIDs.map(Set.init)
        let runs = runRows.values.filter { wanted?.contains($0.tokenID) ?? true }.sorted { $0.id > $1.id }
        return Dictionary(grouping: runs, by: \.tokenID).mapValues { RunSummary(newestFirst: $0) }
            .filter { $0.value != RunSummary() }
    }

    public func runs(tokenID: Int64, limit: Int) -> [SyncRun] {
        Array(runRows.values.filter { $0.tokenID == tokenID }.sorted { $0.id > $1.id }.prefix(max(0, limit)))
    }

    // MARK: - Leases

    public func lease(tokenID: Int64) -> SyncLease? { leases[tokenID] }

    public func acquireLease(_ lease: SyncLease, now: Date, replacing: String?) -> SyncLease {
        if let held = leases[lease.tokenID], !held.yields(to: lease.holder, now: now, replacing: replacing) {
            return held
        }
        leases[lease.tokenID] = lease
        return lease
    }

    public func renewLease(tokenID: Int64, holder: String, until: Date) -> Bool {
        guard leases[tokenID]?.holder == holder else { return false }
        leases[tokenID]?.expiresAt = until
        return true
    }

    public func releaseLease(tokenID: Int64, holder: String) {
        if leases[tokenID]?.holder == holder { leases[tokenID] = nil }
    }

    // MARK: - Sync requests and nodes

    public func requestSync(tokenID: Int64, at date: Date) throws {
        guard tokenRows[tokenID] != nil else { throw StoreError(.notFound, parameters: ["name": String(tokenID)]) }
        syncRequestRows[tokenID] = date
    }

    public func syncRequests() -> [Int64: Date] { syncRequestRows }

    public func recordHeartbeat(_ node: ClusterNode) {
        var node = node
        node.startedAt = nodeRows[node.id]?.startedAt ?? node.startedAt
        node.tokensHeld = 0
        nodeRows[node.id] = node
    }

    public func nodes(now: Date) -> [ClusterNode] {
        nodeRows.values.sorted { $0.id < $1.id }.map { node in
            var node = node
            node.tokensHeld = leases.values.count { $0.holder == node.id && $0.expiresAt > now }
            return node
        }
    }

    public func removeNode(id: String) { nodeRows[id] = nil }

    public func removeNodes(seenBefore date: Date) -> Int {
        let gone = nodeRows.values.filter { $0.seenAt < date }.map(\.id)
        for id in gone { nodeRows[id] = nil }
        return gone.count
    }

    // MARK: - Attempts and setup links

    public func recordAttempt(_ kind: AttemptKind, key: String, at date: Date) {
        attemptRows.append((kind, key, date))
    }

    public func attempts(_ kind: AttemptKind, key: String, after date: Date, limit: Int) -> [Date] {
        let times = attemptRows.filter { $0.kind == kind && $0.key == key && $0.at > date }.map(\.at)
        return Array(times.sorted(by: >).prefix(max(0, limit)))
    }

    public func clearAttempts(_ kind: AttemptKind, key: String) {
        attemptRows.removeAll { $0.kind == kind && $0.key == key }
    }

    public func pruneAttempts(before date: Date, keeping: Int) -> Int {
        let count = attemptRows.count
        attemptRows.removeAll { $0.at <= date }
        if attemptRows.count > max(0, keeping) {
            attemptRows.sort { $0.at < $1.at }
            attemptRows.removeFirst(attemptRows.count - max(0, keeping))
        }
        return count - attemptRows.count
    }

    public func attemptCount() -> Int { attemptRows.count }

    public func openSetupLink(digest: String, at date: Date) { setupLinks.insert(digest) }

    public func isSetupLinkOpen(digest: String?) -> Bool {
        digest.map { setupLinks.contains($0) } ?? !setupLinks.isEmpty
    }

    public func closeSetupLinks(digest: String) -> Bool {
        guard setupLinks.contains(digest) else { return false }
        setupLinks.removeAll()
        return true
    }

    // MARK: - Access

    public func createUser(name: String, passwordHash: String, at date: Date) throws -> ConsoleUser {
        guard user(named: name) == nil else { throw StoreError(.duplicateName, parameters: ["name": name]) }
        let user = ConsoleUser(
            id: nextUserID,
            name: name,
            passwordHash: passwordHash,
            createdAt: date,
            passwordChangedAt: date
        )
        nextUserID += 1
        userRows[user.id] = user
        return user
    }

    public func users() -> [ConsoleUser] {
        userRows.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func user(id: Int64) -> ConsoleUser? { userRows[id] }

    public func user(named name: String) -> ConsoleUser? {
        userRows.values.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func setPassword(userID: Int64, passwordHash: String, at date: Date) throws {
        guard userRows[userID] != nil else { throw StoreError(.notFound, parameters: ["name": String(userID)]) }
        userRows[userID]?.passwordHash = passwordHash
        userRows[userID]?.passwordChangedAt = date
        sessions = sessions.filter { $0.value.userID != userID }
    }

    public func deleteUser(id: Int64) throws {
        guard userRows.removeValue(forKey: id) != nil else {
            throw StoreError(.notFound, parameters: ["name": String(id)])
        }
        sessions = sessions.filter { $0.value.userID != id }
    }

    public func createSession(_ session: ConsoleSession) throws {
        guard userRows[session.userID] != nil else {
            throw StoreError(.notFound, parameters: ["name": String(session.userID)])
        }
        sessions[session.idHash] = session
    }

    public func session(idHash: String, now: Date) -> ConsoleSession? {
        guard let session = sessions[idHash], session.expiresAt > now else { return nil }
        return session
    }

    public func deleteSession(idHash: String) {
        sessions[idHash] = nil
    }

    public func deleteExpiredSessions(now: Date) -> Int {
        let expired = sessions.filter { $0.value.expiresAt <= now }.keys
        for key in expired { sessions[key] = nil }
        return expired.count
    }

    public func createAPIToken(name: String, scope: APIToken.Scope, secretHash: String, at date: Date) throws
        -> APIToken
    {
        guard !apiTokenRows.values.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw StoreError(.duplicateName, parameters: ["name": name])
        }
        let token = APIToken(id: nextAPITokenID, name: name, scope: scope, secretHash: secretHash, createdAt: date)
        nextAPITokenID += 1
        apiTokenRows[token.id] = token
        return token
    }

    public func apiTokens() -> [APIToken] {
        apiTokenRows.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func apiToken(secretHash: String) -> APIToken? {
        apiTokenRows.values.first { $0.secretHash == secretHash }
    }

    public func touchAPIToken(id: Int64, at date: Date) {
        apiTokenRows[id]?.lastUsedAt = date
    }

    public func deleteAPIToken(id: Int64) throws {
        guard apiTokenRows.removeValue(forKey: id) != nil else {
            throw StoreError(.notFound, parameters: ["name": String(id)])
        }
    }

    // MARK: - Profiles

    public func createProfile(tokenID: Int64, name: String, document: ProfileDocument, at date: Date) throws
        -> StoredProfile
    {
        guard tokenRows[tokenID] != nil else { throw StoreError(.notFound, parameters: ["name": name]) }
        guard self.profile(tokenID: tokenID, named: name) == nil else {
            throw StoreError(.duplicateName, parameters: ["name": name])
        }
        let stored = StoredProfile(
            id: nextProfileID,
            tokenID: tokenID,
            name: name,
            document: document,
            createdAt: date,
            updatedAt: date
        )
        nextProfileID += 1
        profileRows[stored.id] = stored
        return stored
    }

    public func profiles(tokenID: Int64) -> [StoredProfile] {
        profileRows.values.filter { $0.tokenID == tokenID }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func profile(id: Int64) -> StoredProfile? { profileRows[id] }

    public func profile(tokenID: Int64, named name: String) -> StoredProfile? {
        profileRows.values.first { $0.tokenID == tokenID && $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func updateProfile(_ profile: StoredProfile) throws {
        guard profileRows[profile.id] != nil else { throw StoreError(.notFound, parameters: ["name": profile.name]) }
        if let other = self.profile(tokenID: profile.tokenID, named: profile.name), other.id != profile.id {
            throw StoreError(.duplicateName, parameters: ["name": profile.name])
        }
        profileRows[profile.id] = profile
    }

    public func deleteProfile(id: Int64) throws {
        guard let profile = profileRows.removeValue(forKey: id) else {
            throw StoreError(.notFound, parameters: ["name": String(id)])
        }
        defaultRows[profile.tokenID] = defaultRows[profile.tokenID]?.filter { $0.value != id }
    }

    public func setDefaultProfile(tokenID: Int64, family: DeviceFamily?, profileID: Int64?) throws {
        if let profileID {
            guard profileRows[profileID]?.tokenID == tokenID else {
                throw StoreError(.notFound, parameters: ["name": String(profileID)])
            }
        }
        defaultRows[tokenID, default: [:]][family] = profileID
    }

    public func defaultProfileIDs(tokenID: Int64) -> [DeviceFamily?: Int64] { defaultRows[tokenID] ?? [:] }

    public func assignments(tokenID: Int64, serialNumbers: [String]) -> [String: DeviceAssignment] {
        let rows = assignmentRows[tokenID] ?? [:]
        return serialNumbers.reduce(into: [:]) { found, serial in found[serial] = rows[serial] }
    }

    public func saveAssignments(_ records: [DeviceAssignment]) {
        for (tokenID, batch) in Dictionary(grouping: records, by: \.tokenID) {
            guard let token = tokenRows[tokenID] else { continue }
            let devices = deviceRows[tokenID] ?? [:]
            let saved = batch.filter { devices[$0.serialNumber] != nil }
            for record in saved { assignmentRows[tokenID, default: [:]][record.serialNumber] = record }
            append(
                [PendingEvent.assignments(token: token, records: saved, at: saved.map(\.updatedAt).max() ?? Date())]
                    .compactMap { $0 }
            )
        }
    }

    public func assignments(tokenID: Int64, status: DeviceAssignment.Status?, after serial: String?, limit: Int)
        -> [DeviceAssignment]
    {
        Array(
            (assignmentRows[tokenID] ?? [:]).values
                .filter { status == nil || $0.status == status }
                .filter { serial == nil || $0.serialNumber > serial! }
                .sorted { $0.serialNumber < $1.serialNumber }
                .prefix(max(0, limit))
        )
    }

    public func dueAssignments(tokenID: Int64, at now: Date, limit: Int) -> [DeviceAssignment] {
        Array(
            (assignmentRows[tokenID] ?? [:]).values
                .filter { DeviceAssignment.retriedStatuses.contains($0.status) && ($0.nextAttemptAt ?? now) <= now }
                .sorted {
                    ($0.nextAttemptAt ?? .distantPast, $0.serialNumber) < (
                        $1.nextAttemptAt ?? .distantPast, $1.serialNumber
                    )
                }
                .prefix(max(0, limit))
        )
    }

    public func assignmentCounts(tokenID: Int64) -> [DeviceAssignment.Status: Int] {
        (assignmentRows[tokenID] ?? [:]).values.reduce(into: [:]) { counts, record in
            counts[record.status, default: 0] += 1
        }
    }

    public func assignedCounts(tokenID: Int64) -> [String: Int] {
        (assignmentRows[tokenID] ?? [:]).values.reduce(into: [:]) { counts, record in
            guard record.status == .assigned, let uuid = record.profileUUID else { return }
            counts[uuid, default: 0] += 1
        }
    }

    public func assignments(tokenID: Int64, profileUUID: String, statuses: [DeviceAssignment.Status])
        -> [DeviceAssignment]
    {
        (assignmentRows[tokenID] ?? [:]).values.filter { $0.profileUUID == profileUUID && statuses.contains($0.status) }
    }

    // MARK: - Outbox

    private func append(_ events: [PendingEvent]) {
        for event in events {
            outbox.append(
                OutboxEvent(
                    id: nextEventID,
                    tokenID: event.tokenID,
                    kind: event.kind,
                    body: event.body,
                    createdAt: event.createdAt
                )
            )
            nextEventID += 1
        }
    }

    public func events(after id: Int64, limit: Int) -> [OutboxEvent] {
        Array(outbox.filter { $0.id > id }.prefix(max(0, limit)))
    }

    public func pruneEvents(before date: Date, upTo id: Int64) -> Int {
        let before = outbox.count
        outbox.removeAll { $0.createdAt < date && $0.id <= id }
        return before - outbox.count
    }

    // MARK: - Webhooks

    public func createWebhook(
        name: String,
        sealedURL: [UInt8],
        sealedSecret: [UInt8],
        sealedWith keyCheck: String?,
        maskedURL: String,
        allowsPrivateNetwork: Bool,
        channel: AlertChannelKind?,
        locale: String?,
        at date: Date
    ) throws -> WebhookEndpoint {
        try checkKey(keyCheck)
        guard webhook(named: name) == nil else { throw StoreError(.duplicateName, parameters: ["name": name]) }
        let endpoint = WebhookEndpoint(
            id: nextWebhookID,
            name: name,
            sealedURL: sealedURL,
            sealedSecret: sealedSecret,
            maskedURL: maskedURL,
            allowsPrivateNetwork: allowsPrivateNetwork,
            lastEventID: nextEventID - 1,
            createdAt: date,
            channel: channel,
            locale: locale
        )
        nextWebhookID += 1
        webhookRows[endpoint.id] = endpoint
        return endpoint
    }

    public func claimDeliveries(webhookID: Int64, holder: String, until: Date, now: Date) -> WebhookEndpoint? {
        guard let endpoint = webhookRows[webhookID] else { return nil }
        if let claim = deliveryClaims[webhookID], !claim.yields(to: holder, now: now) { return nil }
        deliveryClaims[webhookID] = DeliveryClaim(holder: holder, until: until)
        return endpoint
    }

    public func releaseDeliveries(webhookID: Int64, holder: String) {
        if deliveryClaims[webhookID]?.holder == holder { deliveryClaims[webhookID] = nil }
    }

    public func webhooks() -> [WebhookEndpoint] {
        webhookRows.values.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func webhook(named name: String) -> WebhookEndpoint? {
        webhookRows.values.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func deleteWebhook(id: Int64) throws {
        guard webhookRows.removeValue(forKey: id) != nil else {
            throw StoreError(.notFound, parameters: ["name": String(id)])
        }
        deliveryLog.removeAll { $0.webhookID == id }
        deliveryClaims[id] = nil
    }

    public func recordDelivery(_ delivery: WebhookDelivery, nextAttemptAt: Date?) {
        guard var endpoint = webhookRows[delivery.webhookID] else { return }
        deliveryLog.append(delivery)
        if delivery.succeeded {
            endpoint.lastEventID = max(endpoint.lastEventID, delivery.eventID)
            endpoint.failures = 0
            endpoint.nextAttemptAt = nil
        } else {
            endpoint.failures += 1
            endpoint.nextAttemptAt = nextAttemptAt
        }
        webhookRows[endpoint.id] = endpoint
    }

    public func skipEvents(webhookID: Int64, through eventID: Int64) {
        guard var endpoint = webhookRows[webhookID] else { return }
        endpoint.lastEventID = max(endpoint.lastEventID, eventID)
        webhookRows[webhookID] = endpoint
    }

    public func deliveries(webhookID: Int64, limit: Int) -> [WebhookDelivery] {
        Array(deliveryLog.filter { $0.webhookID == webhookID }.reversed().prefix(max(0, limit)))
    }
}
