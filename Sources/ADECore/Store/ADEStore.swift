public import Foundation

/// The tokens: their non-secret rows.
public protocol TokenStore: Sendable {
    /// Adds a token; the store assigns its ``EnrollmentToken/id``.
    /// - Throws: `duplicate_name` when the name is taken (case-insensitive).
    func createToken(name: String, baseURL: URL, createdAt: Date) async throws -> EnrollmentToken
    func token(id: Int64) async throws -> EnrollmentToken?
    func token(named name: String) async throws -> EnrollmentToken?
    /// The token that holds an MDM server, if any.
    func token(serverUUID: String) async throws -> EnrollmentToken?
    /// Every token, by name.
    func tokens() async throws -> [EnrollmentToken]
    /// A page of tokens by name (case-insensitive), after `name` (keyset paging).
    func tokens(after name: String?, limit: Int) async throws -> [EnrollmentToken]
    /// Replaces a token's row.
    /// - Throws: `not_found`; `duplicate_name`; `duplicate_server` when another token holds its server UUID.
    func updateToken(_ token: EnrollmentToken) async throws
    /// Deletes a token with its secrets, devices, cursor, runs and lease.
    func deleteToken(id: Int64) async throws
}

/// The sealed secrets, and the master key's check value.
public protocol SecretStore: Sendable {
    /// The key-check value of the master key the secrets are sealed with; nil in a new database.
    func keyCheckValue() async throws -> String?
    func setKeyCheckValue(_ value: String) async throws
    /// Whether any secret is stored — a token's, or a webhook's or alert channel's URL and secret (a key file may
    /// only be created while none is).
    func hasSecrets() async throws -> Bool
    func secrets(tokenID: Int64) async throws -> SealedTokenSecrets
    /// Stores a token's secrets, sealed with the key whose check value is `sealedWith`, in one transaction that
    /// first checks it against the database's (``KeyRotation/admit(sealedWith:stored:)``).
    /// - Throws: `not_found`; `master_key_changed` (nothing written) when the database's key is another.
    func setSecrets(_ secrets: SealedTokenSecrets, tokenID: Int64, sealedWith keyCheck: String?) async throws
    /// Re-seals every sealed value — the tokens' secrets, the webhooks' and alert channels' URLs and secrets — and
    /// replaces the key-check value in one transaction (`ade key rotate`): either everything is under the new key,
    /// or nothing changed.
    func resealAll(newKeyCheckValue: String, _ reseal: KeyRotation.Reseal) async throws
}

extension SecretStore {
    /// Stores raw secrets without a key check (tests).
    public func setSecrets(_ secrets: SealedTokenSecrets, tokenID: Int64) async throws {
        try await setSecrets(secrets, tokenID: tokenID, sealedWith: nil)
    }
}

/// Devices and the cursor, written together.
public protocol DeviceSyncStore: Sendable {
    func cursor(tokenID: Int64) async throws -> SyncCursorState?
    /// Stores a cursor alone (a new full fetch starting, a phase switch).
    func setCursor(_ cursor: SyncCursorState?, tokenID: Int64) async throws
    /// Applies one page of Apple's records and stores the cursor that follows it, in one transaction.
    ///
    /// A record older (by `op_date`) than the stored one is ignored; `deleted` keeps the device, removed, with the
    /// date; every other record sets the device present and seen by `cursor.fetchGeneration`. With
    /// `completesFetch`, devices not seen by that full fetch are marked removed in the same transaction. With a
    /// `lease`, the page is written only while its holder holds the token's lease, which it renews.
    /// - Throws: `not_found`; `lease_lost` (nothing written) when `lease` is given and its holder lost the lease.
    func applyPage(
        _ records: [DeviceRecord],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        lease: LeaseRenewal?,
        now: Date
    ) async throws -> PageChanges
    /// Merges Apple's details of a token's stored devices (`POST /devices`, records without `op_type`) as a page
    /// would, without a cursor: devices the token does not have are left alone, each keeps its fetch generation,
    /// and the changes get their events.
    /// - Throws: `not_found` for the token.
    func applyDetails(_ records: [DeviceRecord], tokenID: Int64, now: Date) async throws -> PageChanges
    /// A token's devices that match `query`, by serial number, after `serial` (keyset paging).
    func devices(tokenID: Int64, matching query: DeviceQuery, after serial: String?, limit: Int) async throws
        -> [StoredDevice]
    /// The same for the token of that name (case-insensitive), found in the same read; nil without such a token.
    func devices(tokenNamed name: String, matching query: DeviceQuery, after serial: String?, limit: Int) async throws
        -> (token: EnrollmentToken, devices: [StoredDevice])?
    func device(tokenID: Int64, serial: String) async throws -> StoredDevice?
    /// Which of `serials` the token has a stored device for (present or removed), in one read.
    func storedSerials(tokenID: Int64, among serials: [String]) async throws -> Set<String>
    /// How many devices a token has (present ones, or all); kept on write, so as cheap at a million devices as at ten.
    func deviceCount(tokenID: Int64, includeRemoved: Bool) async throws -> Int
    /// The present devices of these tokens (nil: every token) that have any, in one read.
    func deviceCounts(tokenIDs: [Int64]?) async throws -> [Int64: Int]
    /// The highest full-fetch generation any of a token's devices was seen by (0 without devices): a fetch started
    /// without a stored cursor numbers itself above it, so that it still recognises the devices it did not see.
    func highestFetchGeneration(tokenID: Int64) async throws -> Int
}

/// The record of every sync run.
public protocol SyncRunStore: Sendable {
    func startRun(tokenID: Int64, kind: SyncRun.Kind, at date: Date) async throws -> SyncRun
    func updateRun(_ run: SyncRun) async throws
    /// Records a run's end and, when it changed its token's state, the new state, the transition in the token's
    /// history and a `token.state_changed` event, in one transaction. The state moves only from the transition's `from` (another writer's newer state stays).
    func finishRun(_ run: SyncRun, transition: TokenTransition?) async throws
    /// A token's recorded changes of state, newest first.
    func transitions(tokenID: Int64, limit: Int) async throws -> [TokenTransition]
    /// A token's runs, newest first.
    func runs(tokenID: Int64, limit: Int) async throws -> [SyncRun]
    /// The newest run of every token that has one, by token, in one read (the scheduler's view of 2,000 tokens).
    func latestRuns() async throws -> [Int64: SyncRun]
    /// The newest finished, successful and failed runs of these tokens (nil: every token), by token, in one read
    /// with one index seek each, however long the history.
    func runSummaries(tokenIDs: [Int64]?) async throws -> [Int64: RunSummary]
    /// Deletes a token's runs but the newest `keeping`; returns how many were deleted.
    func pruneRuns(tokenID: Int64, keeping: Int) async throws -> Int
}

/// One syncing holder per token.
public protocol LeaseStore: Sendable {
    func lease(tokenID: Int64) async throws -> SyncLease?
    /// Takes the lease when it is free, expired at `now`, already the caller's, or held by `replacing` (a holder the
    /// caller found dead). Returns the lease that holds the token afterwards.
    func acquireLease(_ lease: SyncLease, now: Date, replacing: String?) async throws -> SyncLease
    /// Extends the caller's lease; false when it is no longer the caller's.
    func renewLease(tokenID: Int64, holder: String, until: Date) async throws -> Bool
    func releaseLease(tokenID: Int64, holder: String) async throws
}

/// "Sync now" kept in the store, so that whichever node has a place free takes it.
public protocol SyncRequestStore: Sendable {
    /// Records that a sync of the token was asked for at `date`, replacing its earlier request.
    func requestSync(tokenID: Int64, at date: Date) async throws
    /// The latest request of every token that has one; a request is answered by the first run that starts after it.
    func syncRequests() async throws -> [Int64: Date]
}

/// The nodes that run `ade serve` on the store, each known by its heartbeats.
public protocol NodeStore: Sendable {
    /// Adds the node, or records its heartbeat (``ClusterNode/seenAt``, address and version).
    func recordHeartbeat(_ node: ClusterNode) async throws
    /// Every node recorded, by id, each with the leases it holds that are alive at `now`.
    func nodes(now: Date) async throws -> [ClusterNode]
    /// Forgets a node that stopped.
    func removeNode(id: String) async throws
    /// Forgets the nodes last seen before `date` (processes that died); returns how many.
    func removeNodes(seenBefore date: Date) async throws -> Int
}

/// Failed attempts counted against a key (a user name and address signing in, a principal uploading `.p7m` files),
/// shared by every node so that a limit holds however a proxy spreads the attempts. Keys come from people who may
/// not have signed in: stores are given and keep their digest only (``AccessSecret/digest(_:)``).
public protocol AttemptStore: Sendable {
    /// Records a failed attempt.
    func recordAttempt(_ kind: AttemptKind, key: String, at date: Date) async throws
    /// The times of the key's latest attempts after `date`, newest first, at most `limit` of them.
    func attempts(_ kind: AttemptKind, key: String, after date: Date, limit: Int) async throws -> [Date]
    /// Forgets the key's attempts (a successful sign-in).
    func clearAttempts(_ kind: AttemptKind, key: String) async throws
    /// Forgets the attempts at or before `date`, then the oldest beyond the newest `keeping`; returns how many went.
    func pruneAttempts(before date: Date, keeping: Int) async throws -> Int
    /// How many attempts are kept.
    func attemptCount() async throws -> Int
}

/// What an attempt was.
public enum AttemptKind: String, Sendable, CaseIterable {
    /// A sign-in to the console refused.
    case signIn = "sign_in"
    /// A server token uploaded (counted whatever its outcome).
    case upload
}

/// The one-time links that create the first administrator: each `ade serve` node prints one while no user exists, and
/// the first used closes them all, whichever node answers it. Stores keep the digest of a link's token
/// (``AccessSecret/digest(_:)``), as they keep those of sessions and API tokens.
public protocol SetupLinkStore: Sendable {
    /// Opens a link.
    func openSetupLink(digest: String, at date: Date) async throws
    /// Whether the link with this digest is open; nil: whether any is.
    func isSetupLinkOpen(digest: String?) async throws -> Bool
    /// Closes every link if the one with this digest is open, in one step: of any number of callers racing, one
    /// gets true.
    func closeSetupLinks(digest: String) async throws -> Bool
}

/// Who may use the console and the API: console users, their sessions, and API tokens.
public protocol AccessStore: Sendable {
    /// Adds a console user.
    /// - Throws: `duplicate_name` when the name is taken (case-insensitive).
    func createUser(name: String, passwordHash: String, at date: Date) async throws -> ConsoleUser
    /// Every console user, by name.
    func users() async throws -> [ConsoleUser]
    func user(id: Int64) async throws -> ConsoleUser?
    func user(named name: String) async throws -> ConsoleUser?
    /// Replaces a user's password hash and ends every session of that user.
    /// - Throws: `not_found`.
    func setPassword(userID: Int64, passwordHash: String, at date: Date) async throws
    /// Deletes a user and their sessions.
    /// - Throws: `not_found`.
    func deleteUser(id: Int64) async throws

    func createSession(_ session: ConsoleSession) async throws
    /// The session with this cookie digest, if it exists and has not expired at `now`.
    func session(idHash: String, now: Date) async throws -> ConsoleSession?
    func deleteSession(idHash: String) async throws
    /// Deletes the sessions expired at `now`; returns how many.
    func deleteExpiredSessions(now: Date) async throws -> Int

    /// Adds an API token (its value's digest only).
    /// - Throws: `duplicate_name` when the name is taken (case-insensitive).
    func createAPIToken(name: String, scope: APIToken.Scope, secretHash: String, at date: Date) async throws
        -> APIToken
    /// Every API token, by name.
    func apiTokens() async throws -> [APIToken]
    /// The token whose value has this digest.
    func apiToken(secretHash: String) async throws -> APIToken?
    /// Records that a request presented the token.
    func touchAPIToken(id: Int64, at date: Date) async throws
    /// Revokes (deletes) a token.
    /// - Throws: `not_found`.
    func deleteAPIToken(id: Int64) async throws
}

/// The token list's read: a page of tokens with what the list shows of each.
public protocol TokenListStore: Sendable {
    /// A page of tokens by name (case-insensitive) after `name`, each with its run summary, present device count and
    /// health facts, in one read.
    func tokenList(after name: String?, limit: Int) async throws -> [TokenListEntry]
}

/// Whether anything stored may have changed, known at once: what lets the server keep an answer in memory until the
/// data under it changes (API tokens, the token list).
public protocol ChangeTracking: Sendable {
    /// A value that differs from every earlier answer once a change has been committed since that answer — by this
    /// process or, for a database others share, by any of them (`ade api-token revoke` in another process included).
    /// Two equal answers mean nothing was committed between them. Answers without waiting for I/O or a queue; a store
    /// that cannot tell answers a new value every time.
    func changeStamp() -> UInt64
}

/// Everything `ade` stores: the memory store, SQLite and PostgreSQL implement it and pass one test battery.
public typealias ADEStore = TokenStore & SecretStore & DeviceSyncStore & SyncRunStore & LeaseStore & AccessStore
    & TokenListStore & ProfileStore & OutboxStore & WebhookStore & HealthStore & AuditStore & ChangeTracking
    & SyncRequestStore & NodeStore & AttemptStore & SetupLinkStore

extension TokenListStore where Self: TokenStore & SyncRunStore & DeviceSyncStore & HealthStore {
    /// The page from four reads: tokens, their run summaries, their device counts, their facts. SQLite answers in
    /// one.
    public func tokenList(after name: String?, limit: Int) async throws -> [TokenListEntry] {
        let tokens = try await tokens(after: name, limit: limit)
        let ids = tokens.map(\.id)
        let summaries = try await runSummaries(tokenIDs: ids)
        let counts = try await deviceCounts(tokenIDs: ids)
        let facts = try await tokenFacts(tokenIDs: ids)
        return tokens.map { token in
            TokenListEntry(
                token: token,
                runs: summaries[token.id] ?? RunSummary(),
                presentDevices: counts[token.id] ?? 0,
                facts: facts[token.id] ?? TokenFacts()
            )
        }
    }
}

extension DeviceSyncStore {
    /// Applies one page without a lease (tools and tests that sync alone).
    public func applyPage(
        _ records: [DeviceRecord],
        cursor: SyncCursorState,
        completesFetch: Bool,
        tokenID: Int64,
        now: Date
    ) async throws -> PageChanges {
        try await applyPage(
            records,
            cursor: cursor,
            completesFetch: completesFetch,
            tokenID: tokenID,
            lease: nil,
            now: now
        )
    }
}

extension DeviceSyncStore {
    /// A token's devices that match `query`, in serial order, read by keyset paging (`pageSize` at a time), at most
    /// `limit` of them.
    public func allDevices(
        tokenID: Int64,
        matching query: DeviceQuery = DeviceQuery(),
        limit: Int = .max,
        pageSize: Int = 1000
    ) async throws -> [StoredDevice] {
        var devices: [StoredDevice] = []
        try await forEachPage(tokenID: tokenID, matching: query, pageSize: pageSize) { page in
            devices += page.prefix(limit - devices.count)
            return devices.count < limit
        }
        return devices
    }

    /// Calls `body` with each page of a token's devices that match `query`, in serial order (keyset paging,
    /// `pageSize` at a time), until the pages end or `body` answers false; nothing holds more than a page.
    public func forEachPage(
        tokenID: Int64,
        matching query: DeviceQuery = DeviceQuery(),
        pageSize: Int = 1000,
        _ body: ([StoredDevice]) async throws -> Bool
    ) async throws {
        var after: String?
        while true {
            try Task.checkCancellation()
            let page = try await devices(tokenID: tokenID, matching: query, after: after, limit: pageSize)
            guard !page.isEmpty, try await body(page), page.count == pageSize, let last = page.last else { return }
            after = last.serialNumber
        }
    }

    /// A token's devices by serial number, after `serial` (keyset paging): present ones, or all.
    public func devices(tokenID: Int64, after serial: String?, limit: Int, includeRemoved: Bool) async throws
        -> [StoredDevice]
    {
        try await devices(
            tokenID: tokenID,
            matching: DeviceQuery(presence: includeRemoved ? .all : .present),
            after: serial,
            limit: limit
        )
    }
}
