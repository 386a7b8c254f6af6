public import ADECore
import ADESupport
public import Foundation
public import Testing

/// The battery every ``ADEStore`` must pass: the memory store, SQLite and PostgreSQL run the same checks.
public enum StoreConformance {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let apple = URL(string: "https://mdmenrollment.apple.com")!

    /// A transform that refuses, to check that a failed rotation changes nothing.
    struct Refused: Error {}

    /// One check of the battery, run on a fresh store: a store's tests take ``checks`` as their arguments, so that
    /// each check is a test of its own, named in the results.
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        let body: @Sendable (any ADEStore) async throws -> Void

        /// Runs the check on `store`.
        public func run(on store: any ADEStore) async throws { try await body(store) }

        public var testDescription: String { name }
    }

    /// Every check, in order.
    public static let checks: [Check] = [
        Check(name: "tokens") { try await tokens($0) },
        Check(name: "secrets") { try await secrets($0) },
        Check(name: "fetchAndSync") { try await fetchAndSync($0) },
        Check(name: "staleAndDeletedRecords") { try await staleAndDeletedRecords($0) },
        Check(name: "deviceDetails") { try await deviceDetails($0) },
        Check(name: "paging") { try await paging($0) },
        Check(name: "runs") { try await runs($0) },
        Check(name: "tokenStates") { try await tokenStates($0) },
        Check(name: "leases") { try await leases($0) },
        Check(name: "pagesAreFencedByTheLease") { try await pagesAreFencedByTheLease($0) },
        Check(name: "deletionCascades") { try await deletionCascades($0) },
        Check(name: "access") { try await access($0) },
        Check(name: "countsAndSummaries") { try await countsAndSummaries($0) },
        Check(name: "deviceQueries") { try await deviceQueries($0) },
        Check(name: "profilesAndAssignments") { try await profilesAndAssignments($0) },
        Check(name: "outbox") { try await outbox($0) },
        Check(name: "webhooks") { try await webhooks($0) },
        Check(name: "auditLog") { try await auditLog($0) },
        Check(name: "changeStamps") { try await changeStamps($0) },
        Check(name: "transitionsAndReminders") { try await transitionsAndReminders($0) },
        Check(name: "skippedEvents") { try await skippedEvents($0) },
        Check(name: "racingHolders") { try await racingHolders($0) },
        Check(name: "storedSerials") { try await storedSerials($0) },
        Check(name: "deliveryClaims") { try await deliveryClaims($0) },
        Check(name: "syncRequests") { try await syncRequests($0) },
        Check(name: "nodes") { try await nodes($0) },
        Check(name: "attempts") { try await attempts($0) },
        Check(name: "setupLinks") { try await setupLinks($0) },
        Check(name: "firstFetchRepeats") { try await firstFetchRepeats($0) },
    ]

    /// A device that a later page of a token's first full fetch repeats, changed, is one row: added once, then
    /// modified; one repeated unchanged changes nothing.
    public static func firstFetchRepeats(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        func page(_ cursor: String) -> SyncCursorState {
            SyncCursorState(phase: .fetch, cursor: cursor, fetchGeneration: 1, fetchStartedAt: start)
        }
        var changes = try await store.applyPage(
            [device("A"), device("B")],
            cursor: page("c1"),
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        #expect(changes == PageChanges(added: 2))
        changes = try await store.applyPage(
            [device("B", .assigned), device("A"), device("C")],
            cursor: page("c2"),
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        #expect(changes == PageChanges(added: 1, modified: 1))
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 3)
        #expect(try await store.device(tokenID: token.id, serial: "B")?.device.profileStatus == .assigned)
        #expect(try await store.cursor(tokenID: token.id) == page("c2"))
    }

    /// Failed attempts by kind and key digest: read newest first within a window and a limit, cleared per key, and
    /// pruned by age and then down to a number kept, the oldest first.
    public static func attempts(_ store: some ADEStore) async throws {
        let alice = AccessSecret.digest("alice|192.0.2.1")
        let bob = AccessSecret.digest("bob|192.0.2.1")
        for second in [0.0, 10, 20, 30] {
            try await store.recordAttempt(.signIn, key: alice, at: start.addingTimeInterval(second))
        }
        try await store.recordAttempt(.upload, key: alice, at: start.addingTimeInterval(25))
        try await store.recordAttempt(.signIn, key: bob, at: start.addingTimeInterval(40))
        #expect(
            try await store.attempts(.signIn, key: alice, after: start.addingTimeInterval(5), limit: 10) == [
                start.addingTimeInterval(30), start.addingTimeInterval(20), start.addingTimeInterval(10),
            ],
            "newest first, only those after the date, of this kind and key"
        )
        #expect(
            try await store.attempts(.signIn, key: alice, after: .distantPast, limit: 2) == [
                start.addingTimeInterval(30), start.addingTimeInterval(20),
            ]
        )
        #expect(try await store.attempts(.upload, key: alice, after: .distantPast, limit: 5).count == 1)
        #expect(try await store.attemptCount() == 6)
        try await store.clearAttempts(.signIn, key: bob)
        #expect(try await store.attempts(.signIn, key: bob, after: .distantPast, limit: 5).isEmpty)
        #expect(try await store.attemptCount() == 5)
        // At or before 10 s: two go; then the oldest beyond the newest two: the sign-in at 20 s.
        #expect(try await store.pruneAttempts(before: start.addingTimeInterval(10), keeping: 2) == 3)
        #expect(
            try await store.attempts(.signIn, key: alice, after: .distantPast, limit: 5) == [
                start.addingTimeInterval(30)
            ]
        )
        #expect(
            try await store.attempts(.upload, key: alice, after: .distantPast, limit: 5) == [
                start.addingTimeInterval(25)
            ]
        )
        #expect(try await store.pruneAttempts(before: start, keeping: 10) == 0)
    }

    /// Setup links: open ones are found by digest (or any), and eight callers racing to close them with an open
    /// link's digest (on one store or on several nodes' stores) get one `true`; an unknown digest closes nothing.
    public static func setupLinks(_ store: some ADEStore) async throws {
        let first = AccessSecret.digest("first")
        let second = AccessSecret.digest("second")
        #expect(try await store.isSetupLinkOpen(digest: nil) == false)
        try await store.openSetupLink(digest: first, at: start)
        try await store.openSetupLink(digest: first, at: start)
        try await store.openSetupLink(digest: second, at: start)
        #expect(try await store.isSetupLinkOpen(digest: first))
        #expect(try await store.isSetupLinkOpen(digest: nil))
        #expect(try await store.closeSetupLinks(digest: AccessSecret.digest("unknown")) == false)
        #expect(try await store.isSetupLinkOpen(digest: second), "an unknown link closes nothing")
        try await closeSetupLinksRacing([store], digest: first)
        #expect(try await store.isSetupLinkOpen(digest: second) == false, "the first used closes every link")
        #expect(try await store.isSetupLinkOpen(digest: nil) == false)
        try await store.openSetupLink(digest: second, at: start)
        #expect(try await store.isSetupLinkOpen(digest: second), "a link given back is open again")
    }

    /// Eight callers spread over `stores` close the links with `digest` at once: exactly one succeeds.
    public static func closeSetupLinksRacing(_ stores: [any ADEStore], digest: String) async throws {
        let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { try await stores[index % stores.count].closeSetupLinks(digest: digest) }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(closed == 1, "one caller closes the links")
    }

    /// "Sync now" kept per token: the latest request replaces the earlier, an unknown token is refused, and a deleted
    /// token's request goes with it.
    public static func syncRequests(_ store: some ADEStore) async throws {
        let first = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let second = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        #expect(try await store.syncRequests().isEmpty)
        try await store.requestSync(tokenID: first.id, at: start)
        try await store.requestSync(tokenID: first.id, at: start.addingTimeInterval(90))
        try await store.requestSync(tokenID: second.id, at: start.addingTimeInterval(5))
        #expect(
            try await store.syncRequests() == [
                first.id: start.addingTimeInterval(90), second.id: start.addingTimeInterval(5),
            ]
        )
        await #expect(throws: StoreError(.notFound)) {
            try await store.requestSync(tokenID: second.id + 100, at: start)
        }
        try await store.deleteToken(id: second.id)
        #expect(try await store.syncRequests() == [first.id: start.addingTimeInterval(90)])
    }

    /// Nodes by heartbeat: a heartbeat updates a node but keeps when it started, each node counts the live leases it
    /// holds, a stopped node is removed, and silent ones are forgotten.
    public static func nodes(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        let one = ClusterNode(id: "h:1:a", address: nil, version: "0.1.0", startedAt: start, seenAt: start)
        let two = ClusterNode(id: "h:2:b", address: "http://h:8081", version: "0.1.0", startedAt: start, seenAt: start)
        try await store.recordHeartbeat(one)
        try await store.recordHeartbeat(two)
        var beat = one
        beat.startedAt = start.addingTimeInterval(10)
        beat.seenAt = start.addingTimeInterval(10)
        beat.address = "http://h:8080"
        try await store.recordHeartbeat(beat)
        for (tokenID, expiry) in [(token.id, 60.0), (other.id, 5.0)] {
            let lease = SyncLease(
                tokenID: tokenID,
                holder: one.id,
                host: "h",
                processID: 1,
                expiresAt: start.addingTimeInterval(expiry)
            )
            _ = try await store.acquireLease(lease, now: start, replacing: nil)
        }
        let listed = try await store.nodes(now: start.addingTimeInterval(10))
        #expect(listed.map(\.id) == [one.id, two.id])
        #expect(listed.first?.startedAt == start, "a heartbeat keeps when the node started")
        #expect(listed.first?.seenAt == start.addingTimeInterval(10))
        #expect(listed.first?.address == "http://h:8080")
        #expect(listed.map(\.tokensHeld) == [1, 0], "only the lease alive at now counts")
        #expect(try await store.removeNodes(seenBefore: start.addingTimeInterval(5)) == 1)
        #expect(try await store.nodes(now: start).map(\.id) == [one.id])
        try await store.removeNode(id: one.id)
        #expect(try await store.nodes(now: start).isEmpty)
    }

    /// A webhook named `hook` whose sealed URL and secret are placeholder bytes.
    static func webhook(_ store: some ADEStore) async throws -> WebhookEndpoint {
        try await store.createWebhook(
            name: "hook",
            sealedURL: [1],
            sealedSecret: [2],
            maskedURL: "https://hooks.example.com",
            allowsPrivateNetwork: false,
            at: start
        )
    }

    /// Delivery claims on an endpoint: one holder among racers, the claim passes on when it expires or is released
    /// by its holder (and only by it), and a claim gives the endpoint as it stands then.
    public static func deliveryClaims(_ store: some ADEStore) async throws {
        let hook = try await webhook(store)
        let until = start.addingTimeInterval(60)
        let answers = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<8 {
                group.addTask {
                    let holder = "node-\(index)"
                    let claimed = try await store.claimDeliveries(
                        webhookID: hook.id,
                        holder: holder,
                        until: until,
                        now: start
                    )
                    return (holder, claimed != nil)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = answers.filter(\.1).map(\.0)
        #expect(winners.count == 1, "one node delivers an endpoint at a time")
        let winner = try #require(winners.first)
        #expect(
            try await store.claimDeliveries(webhookID: hook.id, holder: winner, until: until, now: start) != nil,
            "its holder may claim it again"
        )
        let later = start.addingTimeInterval(30)
        #expect(try await store.claimDeliveries(webhookID: hook.id, holder: "late", until: until, now: later) == nil)
        let expired = try await store.claimDeliveries(
            webhookID: hook.id,
            holder: "late",
            until: until.addingTimeInterval(60),
            now: until
        )
        #expect(expired?.id == hook.id, "an expired claim passes on")
        try await store.releaseDeliveries(webhookID: hook.id, holder: winner)
        let third = start.addingTimeInterval(90)
        #expect(
            try await store.claimDeliveries(webhookID: hook.id, holder: "third", until: until, now: third) == nil,
            "only the holder releases its claim"
        )
        try await store.releaseDeliveries(webhookID: hook.id, holder: "late")
        try await store.skipEvents(webhookID: hook.id, through: 42)
        let fresh = try await store.claimDeliveries(
            webhookID: hook.id,
            holder: "third",
            until: third.addingTimeInterval(60),
            now: third
        )
        #expect(fresh?.lastEventID == 42, "a released claim is free; the claim reads the endpoint afresh")
        #expect(try await store.claimDeliveries(webhookID: 999, holder: "x", until: until, now: start) == nil)
    }

    /// Which serial numbers a token has, present or removed, among many (more than one statement's worth).
    public static func storedSerials(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        let serials = (0..<1200).map { String(format: "S%05d", $0) }
        _ = try await store.applyPage(
            serials.map { device($0) },
            cursor: SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            lease: nil,
            now: start
        )
        _ = try await store.applyPage(
            [device("S00001", op: .deleted, at: start.addingTimeInterval(1))],
            cursor: SyncCursorState(phase: .sync, cursor: "c2", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            lease: nil,
            now: start
        )
        let asked = serials + ["NOPE1", "NOPE2"]
        #expect(try await store.storedSerials(tokenID: token.id, among: asked) == Set(serials), "removed ones count")
        #expect(try await store.storedSerials(tokenID: other.id, among: asked).isEmpty)
        #expect(try await store.storedSerials(tokenID: token.id, among: []).isEmpty)
    }

    /// Eight holders race for one token's lease at the same instant: exactly one gets it, and every other is told
    /// who did.
    public static func racingHolders(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let answers = try await withThrowingTaskGroup(of: (String, SyncLease).self) { group in
            for index in 0..<8 {
                group.addTask {
                    let lease = SyncLease(
                        tokenID: token.id,
                        holder: "holder-\(index)",
                        host: "node",
                        processID: Int32(index + 1),
                        expiresAt: start.addingTimeInterval(60)
                    )
                    return (lease.holder, try await store.acquireLease(lease, now: start, replacing: nil))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = answers.filter { $0.0 == $0.1.holder }
        #expect(winners.count == 1, "one holder at a time")
        #expect(Set(answers.map(\.1.holder)).count == 1, "everyone is told the same holder")
        #expect(try await store.lease(tokenID: token.id)?.holder == winners.first?.0)
    }

    /// The audit log: numbered in order, read forward and backward by id.
    public static func auditLog(_ store: some ADEStore) async throws {
        #expect(try await store.auditEntries(after: 0, limit: 10).isEmpty)
        var written: [AuditEntry] = []
        for index in 0..<5 {
            written.append(
                try await store.appendAudit(
                    AuditEntry(
                        at: start.addingTimeInterval(TimeInterval(index)),
                        actor: "admin",
                        source: .cli,
                        action: "token.create",
                        target: "T\(index)",
                        before: index == 0 ? nil : ["n": String(index - 1)],
                        after: ["n": String(index)]
                    )
                )
            )
        }
        #expect(written.map(\.id) == written.map(\.id).sorted() && Set(written.map(\.id)).count == 5)
        let forward = try await store.auditEntries(after: written[1].id, limit: 2)
        #expect(forward.map(\.target) == ["T2", "T3"])
        #expect(forward.first?.before == ["n": "1"] && forward.first?.after == ["n": "2"])
        let newest = try await store.recentAudit(before: nil, limit: 2)
        #expect(newest.map(\.target) == ["T4", "T3"])
        #expect(try await store.recentAudit(before: written[2].id, limit: 10).map(\.target) == ["T1", "T0"])
        #expect(try await store.auditEntries(after: 0, limit: 10).first?.source == .cli)
    }

    /// A change stamp moves with every commit and stays put without one.
    public static func changeStamps(_ store: some ADEStore) async throws {
        let first = store.changeStamp()
        _ = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let second = store.changeStamp()
        #expect(second != first, "a commit moves the stamp")
        _ = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        #expect(store.changeStamp() != second)
    }

    /// A transition is recorded only from the state it names; an expiry reminder once per token, expiry and step.
    public static func transitionsAndReminders(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let first = TokenTransition(from: nil, to: .healthy, severity: .ok, at: start)
        #expect(try await store.recordTransition(first, tokenID: token.id))
        let stale = TokenTransition(from: .expired, to: .rejected, severity: .error, at: start.addingTimeInterval(1))
        #expect(try await !store.recordTransition(stale, tokenID: token.id), "not from the recorded state")
        let next = TokenTransition(from: .healthy, to: .expiring, severity: .warning, at: start.addingTimeInterval(2))
        #expect(try await store.recordTransition(next, tokenID: token.id))
        #expect(try await store.token(id: token.id)?.recordedState == .expiring)
        #expect(try await store.transitions(tokenID: token.id, limit: 10).map(\.to) == [.expiring, .healthy])
        #expect(try await !store.recordTransition(first, tokenID: 9_999), "a token that is gone")

        let expiry = start.addingTimeInterval(10 * 86_400)
        let reminder = ExpiryReminder(step: 14, daysLeft: 10, expiresAt: expiry, at: start)
        #expect(try await store.recordExpiryReminder(reminder, tokenID: token.id))
        #expect(try await !store.recordExpiryReminder(reminder, tokenID: token.id), "once per step")
        let renewed = ExpiryReminder(
            step: 14,
            daysLeft: 10,
            expiresAt: expiry.addingTimeInterval(365 * 86_400),
            at: start
        )
        #expect(try await store.recordExpiryReminder(renewed, tokenID: token.id), "a renewed token has its own")
        let kinds = try await store.events(after: 0, limit: 100).map(\.kind)
        #expect(kinds.filter { $0 == .tokenStateChanged }.count == 2)
        #expect(kinds.filter { $0 == .tokenExpiryReminder }.count == 2)
    }

    /// An endpoint moved past events it has nothing to send for starts after them, without a log entry.
    public static func skippedEvents(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let hook = try await webhook(store)
        _ = try await store.recordTransition(
            TokenTransition(from: nil, to: .healthy, severity: .ok, at: start),
            tokenID: token.id
        )
        let last = try #require(try await store.events(after: 0, limit: 100).last)
        try await store.skipEvents(webhookID: hook.id, through: last.id)
        let moved = try #require(try await store.webhook(named: "hook"))
        #expect(moved.lastEventID == last.id)
        #expect(try await store.deliveries(webhookID: hook.id, limit: 10).isEmpty, "no log entry")
    }

    /// Every check, in order, each on a fresh store from `makeStore`.
    public static func run(_ makeStore: () async throws -> any ADEStore) async throws {
        for check in checks { try await check.run(on: makeStore()) }
    }

    static func device(
        _ serial: String,
        _ status: ProfileStatus = .empty,
        op: OperationType? = nil,
        at date: Date? = nil
    )
        -> DeviceRecord
    {
        DeviceRecord(
            serialNumber: serial,
            model: "iPhone 16",
            description: "IPHONE 16 BLACK",
            color: "Black",
            deviceFamily: .iPhone,
            os: .iOS,
            profileStatus: status,
            deviceAssignedDate: start,
            deviceAssignedBy: "admin@example.com",
            opType: op,
            opDate: date
        )
    }

    public static func tokens(_ store: some ADEStore) async throws {
        let first = try await store.createToken(name: "Contoso iPads", baseURL: apple, createdAt: start)
        let second = try await store.createToken(name: "Contoso Macs", baseURL: apple, createdAt: start)
        #expect(first.id != second.id)
        await #expect(throws: StoreError(.duplicateName)) {
            try await store.createToken(name: "contoso IPADS", baseURL: apple, createdAt: start)
        }
        #expect(try await store.token(named: "CONTOSO ipads")?.id == first.id)
        #expect(try await store.token(id: second.id)?.name == "Contoso Macs")
        #expect(try await store.tokens().map(\.name) == ["Contoso iPads", "Contoso Macs"])

        var updated = first
        updated.serverUUID = "UUID-1"
        updated.serverName = "iPads"
        updated.consumerKey = "CK_1"
        updated.accessTokenExpiry = start.addingTimeInterval(365 * 86_400)
        updated.issuedAt = start
        updated.organisationName = "Contoso"
        updated.adminAppleID = "admin@contoso.example"
        updated.uploadedAt = start
        updated.pendingSince = start.addingTimeInterval(5)
        updated.syncIntervalSeconds = 600
        try await store.updateToken(updated)
        #expect(try await store.token(id: first.id) == updated)
        #expect(try await store.token(serverUUID: "UUID-1")?.id == first.id)

        var clash = second
        clash.serverUUID = "UUID-1"
        await #expect(throws: StoreError(.duplicateServer)) { try await store.updateToken(clash) }
        clash.serverUUID = nil
        clash.name = "contoso ipads"
        await #expect(throws: StoreError(.duplicateName)) { try await store.updateToken(clash) }
        var missing = second
        missing.id = 9999
        await #expect(throws: StoreError(.notFound)) { try await store.updateToken(missing) }
    }

    public static func secrets(_ store: some ADEStore) async throws {
        #expect(try await store.keyCheckValue() == nil)
        #expect(try await store.hasSecrets() == false)
        try await store.setKeyCheckValue("check-1")
        #expect(try await store.keyCheckValue() == "check-1")
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        #expect(try await store.secrets(tokenID: token.id).isEmpty)
        let sealed = SealedTokenSecrets(
            credentials: [1, 2, 3],
            currentKey: [4, 5],
            currentCertificate: "-----BEGIN CERTIFICATE-----",
            stagingKey: [6],
            stagingCertificate: "staging"
        )
        try await store.setSecrets(sealed, tokenID: token.id)
        #expect(try await store.secrets(tokenID: token.id) == sealed)
        #expect(try await store.hasSecrets())

        await #expect(throws: Refused.self) {
            try await store.resealAll(newKeyCheckValue: "check-2") { _, _ in throw Refused() }
        }
        #expect(try await store.keyCheckValue() == "check-1", "a failed rotation changes nothing")
        #expect(try await store.secrets(tokenID: token.id) == sealed)
        let hook = try await store.createWebhook(
            name: "hook",
            sealedURL: [7],
            sealedSecret: [8],
            sealedWith: "check-1",
            maskedURL: "https://hooks.example.com",
            allowsPrivateNetwork: false,
            at: start
        )
        try await store.resealAll(newKeyCheckValue: "check-2") { sealed, context in
            switch context {
            case SecretBox.context(tokenID: token.id, field: "credentials"): sealed.map { $0 &+ 1 }
            case WebhookService.urlContext, WebhookService.secretContext: sealed.map { $0 &+ 10 }
            default: sealed
            }
        }
        #expect(try await store.keyCheckValue() == "check-2")
        #expect(try await store.secrets(tokenID: token.id).credentials == [2, 3, 4])
        #expect(try await store.secrets(tokenID: token.id).currentKey == [4, 5])
        #expect(try await store.secrets(tokenID: token.id).stagingCertificate == "staging")
        let resealedHook = try #require(try await store.webhook(named: "hook"))
        #expect(resealedHook.id == hook.id && resealedHook.sealedURL == [17] && resealedHook.sealedSecret == [18])

        // A writer still holding the old key is refused, and writes nothing.
        await #expect(throws: StoreError(.masterKeyChanged)) {
            try await store.setSecrets(SealedTokenSecrets(credentials: [9]), tokenID: token.id, sealedWith: "check-1")
        }
        await #expect(throws: StoreError(.masterKeyChanged)) {
            try await store.createWebhook(
                name: "late",
                sealedURL: [1],
                sealedSecret: [1],
                sealedWith: "check-1",
                maskedURL: "https://late.example.com",
                allowsPrivateNetwork: false,
                channel: nil,
                locale: nil,
                at: start
            )
        }
        #expect(try await store.secrets(tokenID: token.id).credentials == [2, 3, 4])
        #expect(try await store.webhook(named: "late") == nil)
        try await store.setSecrets(SealedTokenSecrets(credentials: [9]), tokenID: token.id, sealedWith: "check-2")
        #expect(try await store.secrets(tokenID: token.id).credentials == [9])
    }

    public static func fetchAndSync(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        #expect(try await store.cursor(tokenID: token.id) == nil)
        #expect(try await store.highestFetchGeneration(tokenID: token.id) == 0)
        // Generation 1: a full fetch in two pages.
        let page1 = SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1, fetchStartedAt: start)
        var changes = try await store.applyPage(
            [device("A"), device("B")],
            cursor: page1,
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        #expect(changes == PageChanges(added: 2))
        #expect(try await store.cursor(tokenID: token.id) == page1, "the cursor is stored with its page")
        let done = SyncCursorState(phase: .sync, cursor: "c2", fetchGeneration: 1, lastFullFetchAt: start)
        changes = try await store.applyPage(
            [device("C")],
            cursor: done,
            completesFetch: true,
            tokenID: token.id,
            now: start
        )
        #expect(changes == PageChanges(added: 1))
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 3)
        #expect(try await store.highestFetchGeneration(tokenID: token.id) == 1)

        // Sync: one added, one modified, one deleted.
        let later = start.addingTimeInterval(60)
        changes = try await store.applyPage(
            [
                device("D", op: .added, at: later), device("A", .assigned, op: .modified, at: later),
                device("B", op: .deleted, at: later),
            ],
            cursor: SyncCursorState(phase: .sync, cursor: "c3", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        #expect(changes == PageChanges(added: 1, modified: 1, removed: 1))
        #expect(try await store.device(tokenID: token.id, serial: "A")?.device.profileStatus == .assigned)
        let removed = try await store.device(tokenID: token.id, serial: "B")
        #expect(removed?.removedAt == later, "a deleted device is kept, removed, with its date")
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 3)
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 4)

        // Generation 2: a full fetch that no longer sees C; B is back.
        let refetch = start.addingTimeInterval(3600)
        changes = try await store.applyPage(
            [device("A", .assigned), device("B"), device("D")],
            cursor: SyncCursorState(phase: .sync, cursor: "c4", fetchGeneration: 2, lastFullFetchAt: refetch),
            completesFetch: true,
            tokenID: token.id,
            now: refetch
        )
        #expect(changes.added == 1, "B came back")
        #expect(changes.removed == 1, "C was not seen by the full fetch")
        #expect(try await store.device(tokenID: token.id, serial: "C")?.removedAt == refetch)
        #expect(try await store.device(tokenID: token.id, serial: "B")?.removedAt == nil)
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: false) == 3)
    }

    public static func staleAndDeletedRecords(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let cursor = SyncCursorState(phase: .sync, cursor: "c", fetchGeneration: 1)
        let t1 = start.addingTimeInterval(10)
        let t2 = start.addingTimeInterval(20)
        _ = try await store.applyPage(
            [device("A", .pushed, op: .modified, at: t2)],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            now: t2
        )
        // The same serial twice in one page, older first and newer second: the newer wins.
        let changes = try await store.applyPage(
            [
                device("A", .assigned, op: .modified, at: t1),
                device("A", .removed, op: .modified, at: t2.addingTimeInterval(1)),
            ],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            now: t2
        )
        #expect(changes.stale == 1)
        #expect(try await store.device(tokenID: token.id, serial: "A")?.device.profileStatus == .removed)
        // A deleted record older than what is stored does not remove the device.
        let stale = try await store.applyPage(
            [device("A", op: .deleted, at: t1)],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            now: t2
        )
        #expect(stale.stale == 1)
        #expect(try await store.device(tokenID: token.id, serial: "A")?.removedAt == nil)
        // Deleting twice counts once.
        let t3 = t2.addingTimeInterval(60)
        _ = try await store.applyPage(
            [device("A", op: .deleted, at: t3)],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            now: t3
        )
        let again = try await store.applyPage(
            [device("A", op: .deleted, at: t3.addingTimeInterval(1))],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            now: t3
        )
        #expect(again.removed == 0)
        #expect(try await store.device(tokenID: token.id, serial: "A")?.removedAt == t3)
    }

    /// Apple's details of stored devices merge as a page would, without a cursor; unknown serials are left alone.
    public static func deviceDetails(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let fetch = SyncCursorState(phase: .sync, cursor: "c1", fetchGeneration: 3, fetchStartedAt: nil)
        _ = try await store.applyPage(
            [device("A"), device("B")],
            cursor: fetch,
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        let before = try await store.events(after: 0, limit: 100).count
        let later = start.addingTimeInterval(60)
        let changes = try await store.applyDetails(
            [device("A", .assigned), device("B"), device("UNKNOWN")],
            tokenID: token.id,
            now: later
        )
        #expect(changes == PageChanges(modified: 1))
        let a = try #require(try await store.device(tokenID: token.id, serial: "A"))
        #expect(a.device.profileStatus == .assigned && a.fetchGeneration == 3 && a.updatedAt == later)
        #expect(try await store.device(tokenID: token.id, serial: "UNKNOWN") == nil)
        #expect(try await store.cursor(tokenID: token.id) == fetch, "the cursor is not touched")
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 2)
        let events = try await store.events(after: 0, limit: 100).dropFirst(before)
        #expect(events.map(\.kind) == [.devicesModified] && events.first?.body.contains(#"["A"]"#) == true)
        await #expect(throws: StoreError(.notFound)) {
            try await store.applyDetails([device("A")], tokenID: 999, now: later)
        }
    }

    public static func paging(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let serials = (0..<250).map { String(format: "S%05d", $0) }
        _ = try await store.applyPage(
            serials.map { device($0) },
            cursor: SyncCursorState(phase: .sync, cursor: "c", fetchGeneration: 1),
            completesFetch: true,
            tokenID: token.id,
            now: start
        )
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await store.devices(tokenID: token.id, after: after, limit: 100, includeRemoved: false)
            seen += page.map(\.serialNumber)
            guard page.count == 100 else { break }
            after = page.last?.serialNumber
        }
        #expect(seen == serials)
        let stored = try #require(try await store.device(tokenID: token.id, serial: "S00007"))
        #expect(stored.device == device("S00007"), "every field survives the store")
        #expect(stored.fetchGeneration == 1)
    }

    public static func runs(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        var first = try await store.startRun(tokenID: token.id, kind: .full, at: start)
        #expect(first.outcome == .running)
        first.endedAt = start.addingTimeInterval(30)
        first.pages = 3
        first.added = 250
        first.outcome = .succeeded
        try await store.updateRun(first)
        var second = try await store.startRun(tokenID: token.id, kind: .delta, at: start.addingTimeInterval(900))
        second.outcome = .failed
        second.errorCode = "terms_not_signed"
        second.endedAt = start.addingTimeInterval(901)
        try await store.updateRun(second)
        let runs = try await store.runs(tokenID: token.id, limit: 10)
        #expect(runs == [second, first])
        #expect(try await store.runs(tokenID: token.id, limit: 1) == [second])
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        let third = try await store.startRun(tokenID: other.id, kind: .full, at: start)
        #expect(try await store.latestRuns() == [token.id: second, other.id: third], "the newest of each token")
        // History is trimmed per token, newest kept.
        var newest: [SyncRun] = []
        for minute in 0..<5 {
            newest.insert(try await store.startRun(tokenID: token.id, kind: .delta, at: start + Double(minute)), at: 0)
        }
        #expect(try await store.pruneRuns(tokenID: token.id, keeping: 3) == 4)
        #expect(try await store.runs(tokenID: token.id, limit: 10) == Array(newest.prefix(3)))
        #expect(try await store.pruneRuns(tokenID: token.id, keeping: 10) == 0)
        #expect(try await store.runs(tokenID: other.id, limit: 10) == [third], "other tokens keep theirs")
    }

    /// A run that changes its token's state records it with an event, in one transaction; a transition from a state
    /// that is no longer the recorded one changes nothing; a token's other updates leave the state alone.
    public static func tokenStates(_ store: some ADEStore) async throws {
        var token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        #expect(token.recordedState == nil)
        var run = try await store.startRun(tokenID: token.id, kind: .full, at: start)
        run.outcome = .succeeded
        run.endedAt = start.addingTimeInterval(30)
        let healthy = TokenTransition(from: nil, to: .healthy, severity: .ok, at: run.endedAt!)
        try await store.finishRun(run, transition: healthy)
        #expect(try await store.runs(tokenID: token.id, limit: 1) == [run])
        token = try #require(try await store.token(id: token.id))
        #expect(token.recordedState == .healthy && token.recordedStateSince == run.endedAt)
        var events = try await store.events(after: 0, limit: 10)
        #expect(events.map(\.kind) == [.tokenStateChanged])
        #expect(
            events[0].body
                == #"{"at":"2026-09-21T14:13:50Z","error_code":null,"from":null,"severity":"ok","to":"healthy","token":"T"}"#
        )

        var failed = try await store.startRun(tokenID: token.id, kind: .delta, at: start.addingTimeInterval(60))
        failed.outcome = .failed
        failed.errorCode = "terms_not_signed"
        failed.endedAt = start.addingTimeInterval(61)
        // Recorded by another writer meanwhile: a transition from an older state does nothing.
        try await store.finishRun(
            failed,
            transition: TokenTransition(from: nil, to: .termsNotAccepted, severity: .error, at: failed.endedAt!)
        )
        #expect(try await store.token(id: token.id)?.recordedState == .healthy)
        #expect(try await store.events(after: 0, limit: 10).count == 1)
        #expect(try await store.runs(tokenID: token.id, limit: 1) == [failed], "the run's end is recorded all the same")
        try await store.finishRun(
            failed,
            transition: TokenTransition(
                from: .healthy,
                to: .termsNotAccepted,
                severity: .error,
                errorCode: "terms_not_signed",
                at: failed.endedAt!
            )
        )
        events = try await store.events(after: 0, limit: 10)
        #expect(events.count == 2 && events[1].body.contains(#""from":"healthy","severity":"error""#))
        let history = try await store.transitions(tokenID: token.id, limit: 10)
        #expect(history.map(\.to) == [.termsNotAccepted, .healthy], "newest first, the refused one not recorded")
        #expect(history[0].from == .healthy && history[0].errorCode == "terms_not_signed" && history[1].from == nil)
        #expect(try await store.transitions(tokenID: token.id, limit: 1).count == 1)
        #expect(events[1].body.contains(#""error_code":"terms_not_signed""#))

        // An update of the token's other fields leaves the recorded state alone.
        var renamed = token
        renamed.name = "Renamed"
        renamed.recordedState = .expired
        try await store.updateToken(renamed)
        let stored = try #require(try await store.token(id: token.id))
        #expect(stored.name == "Renamed" && stored.recordedState == .termsNotAccepted)
    }

    public static func leases(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let serve = SyncLease(
            tokenID: token.id,
            holder: "h:1:a",
            host: "h",
            processID: 1,
            expiresAt: start.addingTimeInterval(60)
        )
        let sync = SyncLease(
            tokenID: token.id,
            holder: "h:2:b",
            host: "h",
            processID: 2,
            expiresAt: start.addingTimeInterval(60)
        )
        #expect(try await store.acquireLease(serve, now: start, replacing: nil) == serve)
        #expect(try await store.acquireLease(sync, now: start, replacing: nil) == serve, "one holder at a time")
        #expect(
            try await store.renewLease(tokenID: token.id, holder: serve.holder, until: start.addingTimeInterval(120))
        )
        #expect(try await store.renewLease(tokenID: token.id, holder: sync.holder, until: start) == false)
        #expect(try await store.lease(tokenID: token.id)?.expiresAt == start.addingTimeInterval(120))
        // A dead holder's lease is taken over at once; an expired one by anybody.
        #expect(try await store.acquireLease(sync, now: start, replacing: serve.holder) == sync)
        #expect(try await store.acquireLease(serve, now: start.addingTimeInterval(61), replacing: nil) == serve)
        try await store.releaseLease(tokenID: token.id, holder: sync.holder)
        #expect(try await store.lease(tokenID: token.id) == serve, "only the holder releases")
        try await store.releaseLease(tokenID: token.id, holder: serve.holder)
        #expect(try await store.lease(tokenID: token.id) == nil)
    }

    /// A page is written only by the lease's holder, and renews the lease in the same transaction.
    public static func pagesAreFencedByTheLease(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let holder = SyncLease(tokenID: token.id, holder: "h:1:a", host: "h", processID: 1, expiresAt: start)
        _ = try await store.acquireLease(holder, now: start, replacing: nil)
        let cursor = SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1)
        _ = try await store.applyPage(
            [device("A")],
            cursor: cursor,
            completesFetch: false,
            tokenID: token.id,
            lease: LeaseRenewal(holder: holder.holder, until: start.addingTimeInterval(60)),
            now: start
        )
        #expect(try await store.lease(tokenID: token.id)?.expiresAt == start.addingTimeInterval(60), "renewed")
        // Another process took over the lease: the stalled holder's next page changes nothing.
        let other = SyncLease(tokenID: token.id, holder: "h:2:b", host: "h", processID: 2, expiresAt: start)
        _ = try await store.acquireLease(other, now: start.addingTimeInterval(61), replacing: nil)
        await #expect(throws: StoreError(.leaseLost)) {
            try await store.applyPage(
                [device("B")],
                cursor: SyncCursorState(phase: .fetch, cursor: "c2", fetchGeneration: 1),
                completesFetch: true,
                tokenID: token.id,
                lease: LeaseRenewal(holder: holder.holder, until: start.addingTimeInterval(120)),
                now: start
            )
        }
        #expect(try await store.device(tokenID: token.id, serial: "B") == nil)
        #expect(try await store.device(tokenID: token.id, serial: "A")?.removedAt == nil, "the fetch did not end")
        #expect(try await store.cursor(tokenID: token.id) == cursor)
        #expect(try await store.lease(tokenID: token.id) == other)
    }

    public static func deletionCascades(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        for id in [token.id, other.id] {
            try await store.setSecrets(SealedTokenSecrets(credentials: [1]), tokenID: id)
            _ = try await store.applyPage(
                [device("A\(id)")],
                cursor: SyncCursorState(phase: .sync, cursor: "c", fetchGeneration: 1),
                completesFetch: false,
                tokenID: id,
                now: start
            )
            _ = try await store.startRun(tokenID: id, kind: .full, at: start)
            _ = try await store.acquireLease(
                SyncLease(tokenID: id, holder: "h", host: "h", processID: 1, expiresAt: start),
                now: start,
                replacing: nil
            )
        }
        try await store.deleteToken(id: token.id)
        #expect(try await store.token(id: token.id) == nil)
        #expect(try await store.secrets(tokenID: token.id).isEmpty)
        #expect(try await store.deviceCount(tokenID: token.id, includeRemoved: true) == 0)
        #expect(try await store.cursor(tokenID: token.id) == nil)
        #expect(try await store.runs(tokenID: token.id, limit: 10).isEmpty)
        #expect(try await store.lease(tokenID: token.id) == nil)
        #expect(try await store.deviceCount(tokenID: other.id, includeRemoved: true) == 1, "other tokens keep theirs")
        #expect(try await store.secrets(tokenID: other.id).credentials == [1])
    }

    /// Console users, sessions and API tokens.
    public static func access(_ store: some ADEStore) async throws {
        let alice = try await store.createUser(name: "alice", passwordHash: "$2b$hash-1", at: start)
        #expect(alice.passwordChangedAt == start)
        await #expect(throws: StoreError(.duplicateName)) {
            try await store.createUser(name: "ALICE", passwordHash: "x", at: start)
        }
        let bob = try await store.createUser(name: "bob", passwordHash: "$2b$hash-2", at: start)
        #expect(try await store.users().map(\.name) == ["alice", "bob"])
        #expect(try await store.user(named: "Alice") == alice)
        #expect(try await store.user(id: bob.id) == bob)

        // Sessions: found until they expire; a password change or a deletion ends the user's sessions.
        let later = start.addingTimeInterval(3600)
        let session = ConsoleSession(
            idHash: "h1",
            userID: alice.id,
            csrfToken: "c1",
            createdAt: start,
            expiresAt: later
        )
        try await store.createSession(session)
        try await store.createSession(
            ConsoleSession(idHash: "h2", userID: bob.id, csrfToken: "c2", createdAt: start, expiresAt: later)
        )
        try await store.createSession(
            ConsoleSession(idHash: "h3", userID: bob.id, csrfToken: "c3", createdAt: start, expiresAt: start)
        )
        await #expect(throws: StoreError(.notFound)) {
            try await store.createSession(
                ConsoleSession(idHash: "h4", userID: 999, csrfToken: "c4", createdAt: start, expiresAt: later)
            )
        }
        #expect(try await store.session(idHash: "h1", now: start) == session)
        #expect(try await store.session(idHash: "h1", now: later) == nil, "expired")
        #expect(try await store.session(idHash: "h3", now: start) == nil)
        #expect(try await store.deleteExpiredSessions(now: start) == 1)
        try await store.setPassword(userID: alice.id, passwordHash: "$2b$hash-3", at: later)
        #expect(try await store.user(id: alice.id)?.passwordHash == "$2b$hash-3")
        #expect(try await store.user(id: alice.id)?.passwordChangedAt == later)
        #expect(try await store.session(idHash: "h1", now: start) == nil, "a new password ends the sessions")
        #expect(try await store.session(idHash: "h2", now: start) != nil, "other users keep theirs")
        try await store.deleteSession(idHash: "h2")
        #expect(try await store.session(idHash: "h2", now: start) == nil)
        try await store.createSession(
            ConsoleSession(idHash: "h5", userID: bob.id, csrfToken: "c5", createdAt: start, expiresAt: later)
        )
        try await store.deleteUser(id: bob.id)
        #expect(try await store.session(idHash: "h5", now: start) == nil, "deleting a user ends their sessions")
        #expect(try await store.users().map(\.name) == ["alice"])
        await #expect(throws: StoreError(.notFound)) { try await store.deleteUser(id: bob.id) }
        await #expect(throws: StoreError(.notFound)) {
            try await store.setPassword(userID: bob.id, passwordHash: "x", at: start)
        }

        // API tokens: found by digest, touched, revoked.
        let reader = try await store.createAPIToken(name: "grafana", scope: .read, secretHash: "d1", at: start)
        let writer = try await store.createAPIToken(name: "Automation", scope: .write, secretHash: "d2", at: start)
        await #expect(throws: StoreError(.duplicateName)) {
            try await store.createAPIToken(name: "GRAFANA", scope: .read, secretHash: "d3", at: start)
        }
        #expect(try await store.apiTokens().map(\.name) == ["Automation", "grafana"])
        #expect(try await store.apiToken(secretHash: "d1") == reader)
        #expect(try await store.apiToken(secretHash: "nope") == nil)
        try await store.touchAPIToken(id: writer.id, at: later)
        #expect(try await store.apiToken(secretHash: "d2")?.lastUsedAt == later)
        try await store.deleteAPIToken(id: reader.id)
        #expect(try await store.apiToken(secretHash: "d1") == nil)
        await #expect(throws: StoreError(.notFound)) { try await store.deleteAPIToken(id: reader.id) }
    }

    /// Device counts follow every kind of write; run summaries find the newest finished, successful and failed run.
    public static func countsAndSummaries(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        func counts() async throws -> (present: Int, all: Int) {
            (
                try await store.deviceCount(tokenID: token.id, includeRemoved: false),
                try await store.deviceCount(tokenID: token.id, includeRemoved: true)
            )
        }
        let fetch = SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1)
        _ = try await store.applyPage(
            [device("A"), device("B"), device("C"), device("A", .assigned)],
            cursor: fetch,
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        #expect(try await counts() == (3, 3), "a serial twice in a page is one device")
        let later = start.addingTimeInterval(60)
        let sync = SyncCursorState(phase: .sync, cursor: "c2", fetchGeneration: 1)
        _ = try await store.applyPage(
            [
                device("B", op: .deleted, at: later), device("Z", op: .deleted, at: later),
                device("D", op: .added, at: later),
            ],
            cursor: sync,
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        #expect(try await counts() == (3, 5), "B removed, Z stored removed, D added")
        _ = try await store.applyPage(
            [device("B", op: .added, at: later.addingTimeInterval(60))],
            cursor: sync,
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        #expect(try await counts() == (4, 5), "B back")
        // A full fetch that sees only A: everything else present is removed when it completes.
        _ = try await store.applyPage(
            [device("A")],
            cursor: SyncCursorState(phase: .sync, cursor: "c3", fetchGeneration: 2),
            completesFetch: true,
            tokenID: token.id,
            now: later
        )
        #expect(try await counts() == (1, 5))
        #expect(try await store.deviceCounts(tokenIDs: nil) == [token.id: 1])
        #expect(try await store.deviceCount(tokenID: other.id, includeRemoved: true) == 0)

        #expect(try await store.runSummaries(tokenIDs: nil).isEmpty)
        var failed = try await store.startRun(tokenID: token.id, kind: .full, at: start)
        failed.outcome = .failed
        failed.errorCode = "terms_not_signed"
        try await store.updateRun(failed)
        var succeeded = try await store.startRun(tokenID: token.id, kind: .delta, at: later)
        succeeded.outcome = .succeeded
        try await store.updateRun(succeeded)
        let running = try await store.startRun(tokenID: token.id, kind: .delta, at: later)
        var elsewhere = try await store.startRun(tokenID: other.id, kind: .full, at: start)
        elsewhere.outcome = .interrupted
        try await store.updateRun(elsewhere)
        let summaries = try await store.runSummaries(tokenIDs: nil)
        #expect(summaries[token.id] == RunSummary(lastFinished: succeeded, lastSuccess: succeeded, lastFailure: failed))
        #expect(summaries[other.id] == RunSummary(lastFinished: elsewhere))
        #expect(try await store.runSummaries(tokenIDs: [other.id]).keys.sorted() == [other.id])
        #expect(try await store.deviceCounts(tokenIDs: [other.id]).isEmpty)
        #expect(try await store.tokens(after: nil, limit: 1).map(\.name) == ["T"])
        #expect(try await store.tokens(after: "t", limit: 5).map(\.name) == ["U"], "after is case-insensitive")
        #expect(try await store.tokens(after: "U", limit: 5).isEmpty)
        #expect(running.outcome == .running)

        // The token list's one read agrees with the three it replaces, field for field.
        var full = try await store.token(id: token.id)!
        full.serverName = "Server"
        full.accessTokenExpiry = later
        full.syncIntervalSeconds = 900
        try await store.updateToken(full)
        let facts = try await store.tokenFacts(tokenIDs: nil)
        #expect(facts[token.id] == TokenFacts(presentDevices: 1), "the failure came before the success")
        #expect(
            try await store.tokenList(after: nil, limit: 5) == [
                TokenListEntry(
                    token: full,
                    runs: RunSummary(lastFinished: succeeded, lastSuccess: succeeded, lastFailure: failed),
                    presentDevices: 1,
                    facts: try #require(facts[token.id])
                ),
                TokenListEntry(
                    token: other,
                    runs: RunSummary(lastFinished: elsewhere),
                    presentDevices: 0,
                    facts: try #require(facts[other.id])
                ),
            ]
        )
        // Two failures after the success, a cursor being recovered: the facts count them.
        for _ in 0..<2 {
            var failure = try await store.startRun(tokenID: other.id, kind: .delta, at: later)
            failure.outcome = .failed
            failure.errorCode = "server_error"
            try await store.updateRun(failure)
        }
        try await store.setCursor(
            SyncCursorState(phase: .fetch, cursor: nil, fetchGeneration: 2, recoverySince: later),
            tokenID: other.id
        )
        let otherFacts = try #require(try await store.tokenFacts(tokenIDs: [other.id])[other.id])
        #expect(otherFacts.failureStreak == 2 && otherFacts.recoverySince == later && !otherFacts.hasDefaultProfile)
        #expect(try await store.tokenList(after: "t", limit: 5).first?.facts == otherFacts)
        #expect(try await store.tokenList(after: "t", limit: 5).map(\.token.name) == ["U"])
        #expect(try await store.tokenList(after: nil, limit: 1).map(\.token.name) == ["T"])
    }

    /// The device list's search and filters, with keyset paging.
    public static func deviceQueries(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        _ = try await store.applyPage(
            [
                device("AB1", .assigned), device("AB12"), device("AB2", .assigned), device("B1"),
                device("AB3", .assigned),
            ],
            cursor: SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        let later = start.addingTimeInterval(60)
        _ = try await store.applyPage(
            [device("AB3", op: .deleted, at: later)],
            cursor: SyncCursorState(phase: .sync, cursor: "c2", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        func serials(_ query: DeviceQuery, after: String? = nil, limit: Int = 10) async throws -> [String] {
            try await store.devices(tokenID: token.id, matching: query, after: after, limit: limit)
                .map(\.device.serialNumber)
        }
        #expect(try await serials(DeviceQuery()) == ["AB1", "AB12", "AB2", "B1"])
        #expect(try await serials(DeviceQuery(serialPrefix: "ab1")) == ["AB1", "AB12"], "a prefix, any case")
        #expect(try await serials(DeviceQuery(serialPrefix: "AB1"), after: "AB1") == ["AB12"])
        #expect(try await serials(DeviceQuery(profileStatus: .assigned)) == ["AB1", "AB2"])
        #expect(try await serials(DeviceQuery(presence: .removed)) == ["AB3"])
        #expect(try await serials(DeviceQuery(profileStatus: .empty, presence: .all)) == ["AB12", "AB3", "B1"])
        #expect(try await serials(DeviceQuery(presence: .all), after: "AB12", limit: 2) == ["AB2", "AB3"])
        #expect(try await serials(DeviceQuery(serialPrefix: "C")).isEmpty)
        let named = try await store.devices(tokenNamed: "t", matching: DeviceQuery(), after: "AB2", limit: 5)
        #expect(named?.token.id == token.id, "found by name, any case")
        #expect(named?.devices.map(\.device.serialNumber) == ["B1"])
        #expect(try await store.devices(tokenNamed: "nope", matching: DeviceQuery(), after: nil, limit: 5) == nil)
    }

    /// Profiles per token, default profiles by family, and assignment records with their status queries.
    public static func profilesAndAssignments(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        let other = try await store.createToken(name: "U", baseURL: apple, createdAt: start)
        // The store keeps a profile's document as it is given, without reading it.
        let fields = ProfileDocument(
            json: #"{"is_mdm_removable":false,"profile_name":"Staff","skip_setup_items":["Siri","TOS"],"url":"é"}"#
        )
        let staff = try await store.createProfile(tokenID: token.id, name: "Staff", document: fields, at: start)
        #expect(staff.version == 0 && staff.profileUUID == nil && staff.document == fields)
        #expect(try await store.profile(id: staff.id)?.document == fields)
        await #expect(throws: StoreError(.duplicateName)) {
            try await store.createProfile(tokenID: token.id, name: "staff", document: fields, at: start)
        }
        await #expect(throws: StoreError(.notFound)) {
            try await store.createProfile(tokenID: 999, name: "X", document: fields, at: start)
        }
        let elsewhere = try await store.createProfile(tokenID: other.id, name: "Staff", document: fields, at: start)
        let kiosk = try await store.createProfile(
            tokenID: token.id,
            name: "kiosk",
            document: ProfileDocument(json: "{}"),
            at: start
        )
        #expect(try await store.profiles(tokenID: token.id).map(\.name) == ["kiosk", "Staff"])
        #expect(try await store.profile(tokenID: token.id, named: "STAFF") == staff)
        #expect(try await store.profile(id: elsewhere.id)?.tokenID == other.id)

        var defined = staff
        defined.profileUUID = "UUID-1"
        defined.version = 1
        defined.definedAt = start.addingTimeInterval(60)
        defined.updatedAt = start.addingTimeInterval(60)
        try await store.updateProfile(defined)
        #expect(try await store.profile(id: staff.id) == defined)
        var clash = kiosk
        clash.name = "Staff"
        await #expect(throws: StoreError(.duplicateName)) { try await store.updateProfile(clash) }

        // Defaults: one for every device, one for Macs; only defined profiles count as Apple UUIDs.
        try await store.setDefaultProfile(tokenID: token.id, family: nil, profileID: staff.id)
        try await store.setDefaultProfile(tokenID: token.id, family: .mac, profileID: kiosk.id)
        #expect(try await store.defaultProfileIDs(tokenID: token.id) == [nil: staff.id, .mac: kiosk.id])
        #expect(try await store.defaultProfiles(tokenID: token.id) == DefaultProfiles(all: "UUID-1"))
        await #expect(throws: StoreError(.notFound), "another token's profile") {
            try await store.setDefaultProfile(tokenID: token.id, family: .iPad, profileID: elsewhere.id)
        }
        try await store.setDefaultProfile(tokenID: token.id, family: .mac, profileID: staff.id)
        #expect(try await store.defaultProfileIDs(tokenID: token.id) == [nil: staff.id, .mac: staff.id])
        try await store.setDefaultProfile(tokenID: token.id, family: .mac, profileID: nil)
        #expect(try await store.defaultProfileIDs(tokenID: token.id) == [nil: staff.id])
        try await store.setDefaultProfile(tokenID: token.id, family: .iPad, profileID: kiosk.id)
        try await store.deleteProfile(id: kiosk.id)
        #expect(try await store.defaultProfileIDs(tokenID: token.id) == [nil: staff.id], "a deleted profile's default")
        await #expect(throws: StoreError(.notFound)) { try await store.deleteProfile(id: kiosk.id) }

        // Assignment records: written for stored devices only, replaced, found by serial and by status, counted.
        let later = start.addingTimeInterval(3600)
        let fetch = SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1, fetchStartedAt: start)
        _ = try await store.applyPage(
            ["E", "D", "C", "B", "A"].map { device($0) },
            cursor: fetch,
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        _ = try await store.applyPage(
            [device("A")],
            cursor: fetch,
            completesFetch: false,
            tokenID: other.id,
            now: start
        )
        func record(_ serial: String, _ status: DeviceAssignment.Status, token: Int64) -> DeviceAssignment {
            DeviceAssignment(
                tokenID: token,
                serialNumber: serial,
                status: status,
                profileUUID: "UUID-1",
                failures: status == .failed ? 1 : 0,
                nextAttemptAt: status == .failed ? later : nil,
                lastResult: status == .excluded ? nil : "FAILED",
                updatedAt: start
            )
        }
        let records = [
            record("A", .failed, token: token.id), record("B", .assigned, token: token.id),
            record("C", .failed, token: token.id), record("D", .excluded, token: token.id),
            record("A", .assigned, token: other.id), record("Z", .failed, token: 999),
            record("Y", .failed, token: token.id),
        ]
        try await store.saveAssignments(records)
        #expect(
            try await store.assignments(tokenID: token.id, serialNumbers: ["Y"]).isEmpty,
            "no record for a device the token does not have"
        )
        #expect(
            try await store.assignments(tokenID: token.id, serialNumbers: ["A", "B", "X"]) == [
                "A": records[0], "B": records[1],
            ]
        )
        #expect(
            try await store.assignments(tokenID: token.id, status: .failed, after: nil, limit: 10).map(\.serialNumber)
                == ["A", "C"]
        )
        #expect(
            try await store.assignments(tokenID: token.id, status: nil, after: "A", limit: 2).map(\.serialNumber)
                == ["B", "C"]
        )
        #expect(try await store.assignmentCounts(tokenID: token.id) == [.failed: 2, .assigned: 1, .excluded: 1])
        #expect(try await store.dueAssignments(tokenID: token.id, at: start, limit: 10).isEmpty, "cooling down")
        var pending = record("E", .pending, token: token.id)
        pending.nextAttemptAt = nil
        try await store.saveAssignments([pending])
        #expect(try await store.dueAssignments(tokenID: token.id, at: start, limit: 10).map(\.serialNumber) == ["E"])
        #expect(
            try await store.dueAssignments(tokenID: token.id, at: later, limit: 10).map(\.serialNumber)
                == ["E", "A", "C"],
            "due ones, soonest first; never assigned or excluded ones"
        )
        #expect(try await store.dueAssignments(tokenID: token.id, at: later, limit: 1).map(\.serialNumber) == ["E"])
        var retried = records[0]
        retried.status = .assigned
        retried.failures = 0
        retried.nextAttemptAt = nil
        retried.lastResult = "SUCCESS"
        retried.updatedAt = later
        try await store.saveAssignments([retried])
        #expect(try await store.assignments(tokenID: token.id, serialNumbers: ["A"])["A"] == retried)
        #expect(
            try await store.assignmentCounts(tokenID: token.id) == [
                .failed: 1, .assigned: 2, .excluded: 1, .pending: 1,
            ]
        )
        #expect(try await store.assignmentCounts(tokenID: 999).isEmpty, "no records for a token that does not exist")
        #expect(try await store.assignedCounts(tokenID: token.id) == ["UUID-1": 2], "assigned devices by profile")
        #expect(
            try await store.assignments(tokenID: token.id, profileUUID: "UUID-1", statuses: [.failed, .pending])
                .map(\.serialNumber).sorted() == ["C", "E"]
        )
        #expect(try await store.assignments(tokenID: token.id, profileUUID: "UUID-2", statuses: [.failed]).isEmpty)

        // Deleting a token deletes its profiles, defaults and records.
        try await store.deleteToken(id: token.id)
        #expect(try await store.profiles(tokenID: token.id).isEmpty)
        #expect(try await store.defaultProfileIDs(tokenID: token.id).isEmpty)
        #expect(try await store.assignmentCounts(tokenID: token.id).isEmpty)
        #expect(try await store.profile(id: elsewhere.id) != nil)
        #expect(try await store.assignmentCounts(tokenID: other.id) == [.assigned: 1])
    }

    /// Every page's changes and every assignment outcome reach the outbox with their cause, in order.
    public static func outbox(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        #expect(try await store.events(after: 0, limit: 10).isEmpty)
        let fetch = SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1)
        _ = try await store.applyPage(
            [device("B"), device("A"), device("C")],
            cursor: fetch,
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        let later = start.addingTimeInterval(60)
        _ = try await store.applyPage(
            [device("A", .assigned, op: .modified, at: later), device("D", op: .added, at: later)],
            cursor: SyncCursorState(phase: .fetch, cursor: "c2", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        // A new full fetch that sees only A and D: B and C are removed when it completes.
        _ = try await store.applyPage(
            [device("A", .assigned, op: .modified, at: later), device("D", op: .added, at: later)],
            cursor: SyncCursorState(phase: .sync, cursor: "c3", fetchGeneration: 2),
            completesFetch: true,
            tokenID: token.id,
            now: later
        )
        // A page Apple sends again changes nothing and says nothing.
        _ = try await store.applyPage(
            [device("A", .assigned, op: .modified, at: later)],
            cursor: SyncCursorState(phase: .sync, cursor: "c4", fetchGeneration: 2),
            completesFetch: false,
            tokenID: token.id,
            now: later
        )
        try await store.saveAssignments([
            DeviceAssignment(
                tokenID: token.id,
                serialNumber: "D",
                status: .assigned,
                profileUUID: "P",
                lastResult: "SUCCESS",
                updatedAt: later
            )
        ])
        let events = try await store.events(after: 0, limit: 100)
        func serials(_ event: OutboxEvent) throws -> [String] {
            let object = try JSONSerialization.jsonObject(with: Data(event.body.utf8)) as? [String: Any]
            #expect(object?["token"] as? String == "T")
            return object?["serial_numbers"] as? [String] ?? []
        }
        #expect(
            events.map(\.kind) == [
                .devicesAdded, .devicesAdded, .devicesModified, .devicesRemoved, .assignmentResults,
            ]
        )
        #expect(try serials(events[0]) == ["A", "B", "C"])
        #expect(try serials(events[1]) == ["D"])
        #expect(try serials(events[2]) == ["A"])
        #expect(try serials(events[3]) == ["B", "C"])
        #expect(events[4].body.contains(#""serial_number":"D""#) && events[4].body.contains(#""result":"SUCCESS""#))
        #expect(events.map(\.id) == events.map(\.id).sorted() && Set(events.map(\.id)).count == 5)
        #expect(events.allSatisfy { $0.tokenID == token.id })
        #expect(try await store.events(after: events[1].id, limit: 2).map(\.id) == [events[2].id, events[3].id])

        // A page refused for its lease writes no event either.
        _ = try await store.acquireLease(
            SyncLease(
                tokenID: token.id,
                holder: "other",
                host: "h",
                processID: 1,
                expiresAt: later.addingTimeInterval(60)
            ),
            now: later,
            replacing: nil
        )
        await #expect(throws: StoreError(.leaseLost)) {
            try await store.applyPage(
                [device("E")],
                cursor: SyncCursorState(phase: .sync, cursor: "c5", fetchGeneration: 2),
                completesFetch: false,
                tokenID: token.id,
                lease: LeaseRenewal(holder: "me", until: later.addingTimeInterval(60)),
                now: later
            )
        }
        #expect(try await store.events(after: events[4].id, limit: 10).isEmpty)

        #expect(try await store.pruneEvents(before: later, upTo: events[4].id) == 1, "only the first is older")
        #expect(try await store.pruneEvents(before: later.addingTimeInterval(1), upTo: events[2].id) == 2)
        #expect(try await store.events(after: 0, limit: 10).map(\.id) == [events[3].id, events[4].id])
    }

    /// Webhook endpoints start after the newest event; deliveries move them on or count failures.
    public static func webhooks(_ store: some ADEStore) async throws {
        let token = try await store.createToken(name: "T", baseURL: apple, createdAt: start)
        _ = try await store.applyPage(
            [device("A")],
            cursor: SyncCursorState(phase: .fetch, cursor: "c1", fetchGeneration: 1),
            completesFetch: false,
            tokenID: token.id,
            now: start
        )
        let before = try #require(try await store.events(after: 0, limit: 10).last)
        let hook = try await store.createWebhook(
            name: "SIEM",
            sealedURL: [1, 2, 3],
            sealedSecret: [4, 5],
            maskedURL: "https://siem.example.com/…",
            allowsPrivateNetwork: false,
            at: start
        )
        #expect(hook.lastEventID == before.id, "it receives what happens from now on")
        #expect(hook.sealedURL == [1, 2, 3] && hook.sealedSecret == [4, 5] && hook.failures == 0)
        await #expect(throws: StoreError(.duplicateName)) {
            try await store.createWebhook(
                name: "siem",
                sealedURL: [],
                sealedSecret: [],
                maskedURL: "",
                allowsPrivateNetwork: true,
                at: start
            )
        }
        let later = start.addingTimeInterval(30)
        try await store.recordDelivery(
            WebhookDelivery(
                webhookID: hook.id,
                eventID: before.id + 1,
                attempt: 1,
                statusCode: 503,
                error: "HTTP 503",
                durationMilliseconds: 12,
                at: later
            ),
            nextAttemptAt: later.addingTimeInterval(60)
        )
        var stored = try #require(try await store.webhook(named: "SIEM"))
        #expect(stored.failures == 1 && stored.nextAttemptAt == later.addingTimeInterval(60))
        #expect(stored.lastEventID == before.id)
        try await store.recordDelivery(
            WebhookDelivery(
                webhookID: hook.id,
                eventID: before.id + 1,
                attempt: 2,
                statusCode: 204,
                error: nil,
                durationMilliseconds: 8,
                at: later.addingTimeInterval(60)
            ),
            nextAttemptAt: nil
        )
        stored = try #require(try await store.webhook(named: "siem"))
        #expect(stored.failures == 0 && stored.nextAttemptAt == nil && stored.lastEventID == before.id + 1)
        let log = try await store.deliveries(webhookID: hook.id, limit: 10)
        #expect(log.map(\.attempt) == [2, 1] && log.map(\.statusCode) == [204, 503])
        #expect(try await store.webhooks().map(\.name) == ["SIEM"])
        try await store.deleteWebhook(id: hook.id)
        #expect(try await store.webhooks().isEmpty)
        await #expect(throws: StoreError(.notFound)) { try await store.deleteWebhook(id: hook.id) }
    }
}
