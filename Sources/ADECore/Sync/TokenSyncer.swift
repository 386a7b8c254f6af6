public import ADESupport
public import DEPClient
public import Foundation
public import Logging

/// One sync run of one token: a full fetch when one is due or was interrupted, else a delta sync, page by page,
/// each page committed with the cursor that follows it, under the token's lease.
///
/// - An unfinished fetch resumes with `/server/devices`; `EXHAUSTED_CURSOR` or the last page switches to sync, and
///   the same transaction marks every device the fetch did not see as removed; the run then goes on with sync.
/// - An expired, invalid or missing cursor starts a new full fetch (at most once per run).
/// - A full fetch runs at least every ``Configuration/fullFetchInterval``, since throttled devices can vanish from
///   sync without events.
/// - Apple's same-cursor bug (the cursor sent comes back with `more_to_follow`) stops paging until the next run; the
///   run is recorded as failed with `same_cursor`, since Apple's devices after that point were not read.
public struct TokenSyncer: Sendable {
    /// Settings of every run.
    public struct Configuration: Sendable {
        /// Devices per page (Apple: at most 1000).
        public var pageLimit: Int
        /// The longest time between full fetches.
        public var fullFetchInterval: TimeInterval
        /// How long a lease lasts without renewal; renewed with every page.
        public var leaseDuration: TimeInterval
        /// The most pages one run reads: a bound on every loop, far above any real organisation.
        public var maximumPages: Int
        /// Runs kept per token in the history (20 days at the default 15-minute interval); older ones are deleted.
        public var runsKept: Int
        /// The thresholds of the token states a run's end may record.
        public var health: HealthPolicy

        public init(
            pageLimit: Int = 1000,
            fullFetchInterval: TimeInterval = 7 * 86_400,
            leaseDuration: TimeInterval = 60,
            maximumPages: Int = 20_000,
            runsKept: Int = 2000,
            health: HealthPolicy = HealthPolicy()
        ) {
            self.pageLimit = pageLimit
            self.fullFetchInterval = fullFetchInterval
            self.leaseDuration = leaseDuration
            self.maximumPages = maximumPages
            self.runsKept = max(1, runsKept)
            self.health = health
        }
    }

    /// Who holds the lease while syncing.
    public struct Holder: Sendable, Hashable {
        public var name: String
        public var host: String
        public var processID: Int32

        public init(name: String, host: String, processID: Int32) {
            self.name = name
            self.host = host
            self.processID = processID
        }

        /// This process.
        public static func current() -> Holder {
            let host = ProcessInfo.processInfo.hostName
            let pid = ProcessInfo.processInfo.processIdentifier
            return Holder(name: "\(host):\(pid):\(UUID().uuidString.prefix(8))", host: host, processID: pid)
        }
    }

    /// Progress after each page, for a progress bar.
    public struct Progress: Sendable {
        public var pages: Int
        public var devices: Int
        public var changes: PageChanges
        public var phase: SyncCursorState.Phase

        public init(pages: Int, devices: Int, changes: PageChanges, phase: SyncCursorState.Phase) {
            self.pages = pages
            self.devices = devices
            self.changes = changes
            self.phase = phase
        }
    }

    let store: any TokenStore & DeviceSyncStore & SyncRunStore & LeaseStore & ProfileStore & HealthStore
    let tokens: TokenService
    let client: DEPClient
    let timeSource: any TimeSource
    let configuration: Configuration
    let metrics: SyncMetrics?
    /// Assigns default profiles after each page and retries due assignments after the run; nil: no assignment.
    let assigner: ProfileAssigner?
    let logger: Logger

    public init(
        store: any TokenStore & DeviceSyncStore & SyncRunStore & LeaseStore & ProfileStore & HealthStore,
        tokens: TokenService,
        client: DEPClient,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        metrics: SyncMetrics? = nil,
        assigner: ProfileAssigner? = nil,
        logger: Logger
    ) {
        self.store = store
        self.tokens = tokens
        self.client = client
        self.timeSource = timeSource
        self.configuration = configuration
        self.metrics = metrics
        self.assigner = assigner
        self.logger = logger
    }

    /// Runs one sync of a token and records it.
    /// - Parameters:
    ///   - token: The token.
    ///   - forceFull: Start a new full fetch whatever the cursor says.
    ///   - holder: Who takes the lease; a lease held by a process that is gone (same host) is taken over.
    ///   - progress: Called after every page.
    /// - Returns: The recorded run.
    /// - Throws: ``SyncError`` `lease_held`; ``TokenError`` `not_uploaded`; ``DEPError`` when Apple fails the run
    ///   (recorded first).
    public func run(
        _ token: EnrollmentToken,
        forceFull: Bool = false,
        holder: Holder,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> SyncRun {
        try await acquireLease(token, holder: holder)
        do {
            // Under the lease, no other run of the token can be going on: any still marked running was cut short.
            try await closeRuns(tokenID: token.id)
            let run = try await sync(token, forceFull: forceFull, holder: holder, progress: progress)
            await finish(token, holder: holder)
            return run
        } catch {
            await finish(token, holder: holder)
            throw error
        }
    }

    /// Closes the runs that processes left running when they died (a crash, `kill -9`, a power cut): each is recorded
    /// as interrupted, with the pages it wrote. A run counts as abandoned when its token has no lease that is alive —
    /// none, an expired one, or one held by a process of this host that is gone. Called when `ade serve` and
    /// `ade sync` start, so that the history and the scheduler see the truth at once.
    /// - Returns: How many runs were closed.
    @discardableResult
    public func closeAbandonedRuns(holder: Holder) async throws -> Int {
        let now = timeSource.now()
        var closed = 0
        for (tokenID, latest) in try await store.latestRuns() where latest.outcome == .running {
            if let lease = try await store.lease(tokenID: tokenID), Self.isAlive(lease, seenFrom: holder, now: now) {
                continue
            }
            closed += try await closeRuns(tokenID: tokenID)
        }
        if closed > 0 { logger.notice("Closed runs cut short by a process that died", metadata: ["runs": "\(closed)"]) }
        return closed
    }

    /// Records every run of a token still marked running as interrupted, ended now.
    @discardableResult
    private func closeRuns(tokenID: Int64) async throws -> Int {
        let now = timeSource.now()
        var closed = 0
        for var run in try await store.runs(tokenID: tokenID, limit: 50)
        where run.outcome == .running {
            run.outcome = .interrupted
            run.endedAt = now
            try await store.updateRun(run)
            closed += 1
        }
        return closed
    }

    /// After a run: the history trimmed to ``Configuration/runsKept``, the lease released.
    private func finish(_ token: EnrollmentToken, holder: Holder) async {
        _ = try? await store.pruneRuns(tokenID: token.id, keeping: configuration.runsKept)
        try? await store.releaseLease(tokenID: token.id, holder: holder.name)
    }

    /// The run itself, under the lease.
    private func sync(
        _ token: EnrollmentToken,
        forceFull: Bool,
        holder: Holder,
        progress: (@Sendable (Progress) -> Void)?
    ) async throws -> SyncRun {
        var token = token
        if token.pendingSince != nil, let confirmed = try? await tokens.confirmPending(name: token.name) {
            token = confirmed
        }
        let server = try await tokens.server(for: token)
        var state = try await startingState(token, forceFull: forceFull)
        var run = try await store.startRun(
            tokenID: token.id,
            kind: state.phase == .fetch ? .full : .delta,
            at: timeSource.now()
        )
        // The token's default profiles, read once per run: a change applies from the next run.
        let defaults = assigner == nil ? DefaultProfiles() : try await store.defaultProfiles(tokenID: token.id)
        var devices = 0
        var restarted = false
        // The page fetched while the previous one was being written, for the state it was asked for.
        var prefetched: (state: SyncCursorState, result: Result<DevicePage, any Error>)?
        // The default profile passes of earlier pages still running, oldest first, with their pages' serials.
        var passes: [(serials: Set<String>, task: Task<Void, any Error>)] = []
        do {
            paging: while true {
                guard run.pages < configuration.maximumPages else {
                    throw SyncError(.tooManyPages, parameters: ["token": token.name, "pages": String(run.pages)])
                }
                let sent = state.cursor
                let page: DevicePage
                do {
                    if let ahead = prefetched, ahead.state == state {
                        page = try ahead.result.get()
                    } else {
                        page = try await fetchPage(server, state).get()
                    }
                    prefetched = nil
                } catch let error as DEPError where error.code == .cursorExhausted && state.phase == .fetch {
                    // The fetch had already returned everything: complete it, then read what changed since.
                    prefetched = nil
                    state = completedFetch(state, cursor: sent)
                    run.removed += try await applyPage(
                        [],
                        state: state,
                        completes: true,
                        token: token,
                        holder: holder,
                        runID: run.id
                    ).removed
                    continue paging
                } catch let error as DEPError
                    where [.cursorExpired, .cursorInvalid, .cursorRequired].contains(error.code) && !restarted
                {
                    logger.notice(
                        "Cursor refused; full fetch",
                        metadata: ["token": "\(token.name)", "dep.error": "\(error.code)"]
                    )
                    prefetched = nil
                    restarted = true
                    state = newFetch(after: state)
                    state.recoverySince = timeSource.now()
                    try await store.setCursor(state, tokenID: token.id)
                    run.kind = .full
                    continue paging
                }
                run.pages += 1
                devices += page.devices.count
                if page.moreToFollow, page.cursor == sent {
                    // Apple's same-cursor bug: stop until the next run, keeping the cursor. The run is incomplete:
                    // Apple said more devices follow and none of them came.
                    logger.warning(
                        "Apple returned the same cursor; paging stops until the next run",
                        metadata: ["token": "\(token.name)"]
                    )
                    for pass in passes { try await Self.finish(pass.task) }
                    passes = []
                    throw SyncError(
                        .sameCursor,
                        parameters: ["token": token.name, "pages": String(run.pages), "devices": String(devices)]
                    )
                }
                var next = state
                next.cursor = page.cursor ?? sent
                let completes = state.phase == .fetch && !page.moreToFollow
                if completes { next = completedFetch(next, cursor: next.cursor) }
                // A completed fetch goes on with sync from its cursor, so the run ends in step with Apple even when
                // the fetch began long ago (it may have resumed across runs).
                let continues = page.moreToFollow || completes
                // When paging goes on, Apple prepares the next page while this one is written (the cursor it needs
                // is known, and it is stored only with the page it belongs to).
                let following = next
                async let upcoming = continues ? fetchPage(server, following) : nil
                let records = page.devices.map(DeviceRecord.init)
                let changes = try await applyPage(
                    records,
                    state: next,
                    completes: completes,
                    token: token,
                    holder: holder,
                    runID: run.id
                )
                // Devices of the page that show no profile get their default in a pass that runs while the next
                // pages are fetched and written. A pass reads its devices' records, calls Apple and records the
                // answers, so it takes longer than a page; two run at once, and a pass never starts before an
                // earlier one on any of the same devices has ended.
                if let assigner, !defaults.isEmpty, !records.isEmpty {
                    let serials = Set(records.map(\.serialNumber))
                    while let oldest = passes.first,
                        passes.count >= Self.passesAtOnce
                            || passes.contains(where: { !$0.serials.isDisjoint(with: serials) })
                    {
                        try await Self.finish(oldest.task)
                        passes.removeFirst()
                    }
                    let (written, owner) = (records, token)
                    passes.append(
                        (
                            serials,
                            Task {
                                _ = try await assigner.assignDefaults(
                                    afterPage: written,
                                    token: owner,
                                    server: server,
                                    defaults: defaults
                                )
                            }
                        )
                    )
                }
                if let ahead = await upcoming { prefetched = (following, ahead) }
                state = next
                run.added += changes.added
                run.modified += changes.modified
                run.removed += changes.removed
                progress?(
                    Progress(
                        pages: run.pages,
                        devices: devices,
                        changes: PageChanges(added: run.added, modified: run.modified, removed: run.removed),
                        phase: state.phase
                    )
                )
                if !continues { break paging }
            }
            for pass in passes { try await Self.finish(pass.task) }
            passes = []
            if let assigner {
                _ = try await assigner.retryDue(token: token, server: server)
            }
            run.outcome = .succeeded
            run.endedAt = timeSource.now()
            try await finish(run, token: token, lastSuccess: run)
            metrics?.record(run)
            return run
        } catch {
            for pass in passes { pass.task.cancel() }
            for pass in passes { _ = await pass.task.result }
            run.endedAt = timeSource.now()
            if error is CancellationError || Task.isCancelled || (error as? StoreError)?.code == .unavailable {
                // Shutdown, or the database away (restarting): what was committed stays; the next run resumes.
                run.outcome = .interrupted
            } else {
                run.outcome = .failed
                run.errorCode = (error as? any CataloguedError)?.catalogueCode ?? "internal"
                run.errorParameters = Self.parameters(of: error)
            }
            try? await finish(run, token: token, lastSuccess: nil)
            metrics?.record(run)
            throw error
        }
    }

    /// Records a run's end with the change of state it made: the token as stored now (its recorded state may be
    /// newer than the caller's copy), judged with the run as its latest.
    /// - Parameter lastSuccess: The latest successful run when the caller knows it; nil reads it.
    private func finish(_ run: SyncRun, token: EnrollmentToken, lastSuccess known: SyncRun?) async throws {
        var transition: TokenTransition?
        // A read that fails leaves the state as it was; the run's end is recorded all the same.
        if let current = try? await store.token(id: token.id),
            let facts = try? await store.tokenFacts(tokenIDs: [token.id])[token.id],
            let summary = try? await store.runSummaries(tokenIDs: [token.id])[token.id] ?? RunSummary()
        {
            var summary = summary
            if let known { summary.lastSuccess = known }
            transition = TokenTransition.after(
                run,
                token: current,
                summary: summary,
                facts: facts,
                policy: configuration.health
            )
        }
        try await store.finishRun(run, transition: transition)
    }

    /// The non-secret details a run keeps of its error, for its message in the history.
    static func parameters(of error: any Error) -> [String: String] {
        (error as? DEPError)?.parameters ?? (error as? any CodedError)?.parameters ?? [:]
    }

    /// Default profile passes running at once: each waits on one Assign a Profile call at a time.
    static let passesAtOnce = 2

    /// Waits for an assignment pass to end, cancelling it when the run is cancelled meanwhile.
    private static func finish(_ pass: Task<Void, any Error>) async throws {
        try await withTaskCancellationHandler {
            try await pass.value
        } onCancel: {
            pass.cancel()
        }
    }

    // MARK: - Pages

    /// Asks Apple for the page that follows `state`: `/server/devices` while fetching, `/devices/sync` after.
    private func fetchPage(_ server: DEPServer, _ state: SyncCursorState) async -> Result<DevicePage, any Error> {
        do {
            return .success(
                state.phase == .fetch
                    ? try await client.fetchDevices(server, cursor: state.cursor, limit: configuration.pageLimit)
                    : try await client.syncDevices(server, cursor: state.cursor ?? "", limit: configuration.pageLimit)
            )
        } catch {
            return .failure(error)
        }
    }

    /// Writes a page with the cursor after it, renewing the lease and counting the page in its run in the same
    /// transaction.
    private func applyPage(
        _ devices: [DeviceRecord],
        state: SyncCursorState,
        completes: Bool,
        token: EnrollmentToken,
        holder: Holder,
        runID: Int64
    ) async throws -> PageChanges {
        let now = timeSource.now()
        do {
            return try await store.applyPage(
                devices,
                cursor: state,
                completesFetch: completes,
                tokenID: token.id,
                lease: LeaseRenewal(
                    holder: holder.name,
                    until: now.addingTimeInterval(configuration.leaseDuration),
                    runID: runID
                ),
                now: now
            )
        } catch let error as StoreError where error.code == .leaseLost {
            throw StoreError(.leaseLost, parameters: ["token": token.name])
        }
    }

    // MARK: - Cursor phases

    private func startingState(_ token: EnrollmentToken, forceFull: Bool) async throws -> SyncCursorState {
        let stored = try await store.cursor(tokenID: token.id)
        if let stored, !forceFull {
            switch stored.phase {
            case .fetch:
                return stored  // An interrupted fetch resumes where it stopped.
            case .sync:
                let due =
                    stored.lastFullFetchAt.map {
                        timeSource.now().timeIntervalSince($0) >= configuration.fullFetchInterval
                    } ?? true
                if !due, stored.cursor != nil { return stored }
            }
        }
        var state = newFetch(after: stored)
        if stored == nil {
            // No cursor, yet perhaps devices (a cursor lost or reset): number the fetch above every generation
            // already stored, or the devices it does not see would look seen.
            state.fetchGeneration = try await store.highestFetchGeneration(tokenID: token.id) + 1
        }
        try await store.setCursor(state, tokenID: token.id)
        return state
    }

    private func newFetch(after state: SyncCursorState?) -> SyncCursorState {
        SyncCursorState(
            phase: .fetch,
            cursor: nil,
            fetchGeneration: (state?.fetchGeneration ?? 0) + 1,
            fetchStartedAt: timeSource.now(),
            lastFullFetchAt: state?.lastFullFetchAt
        )
    }

    private func completedFetch(_ state: SyncCursorState, cursor: String?) -> SyncCursorState {
        SyncCursorState(
            phase: .sync,
            cursor: cursor,
            fetchGeneration: state.fetchGeneration,
            fetchStartedAt: nil,
            lastFullFetchAt: timeSource.now()
        )
    }

    // MARK: - Lease

    private func acquireLease(_ token: EnrollmentToken, holder: Holder) async throws {
        let now = timeSource.now()
        var replacing: String?
        if let held = try await store.lease(tokenID: token.id), held.holder != holder.name,
            !Self.isAlive(held, seenFrom: holder, now: now)
        {
            replacing = held.holder  // Its process is gone: take over at once.
        }
        let lease = SyncLease(
            tokenID: token.id,
            holder: holder.name,
            host: holder.host,
            processID: holder.processID,
            expiresAt: now.addingTimeInterval(configuration.leaseDuration)
        )
        let granted = try await store.acquireLease(lease, now: now, replacing: replacing)
        guard granted.holder == holder.name else {
            throw SyncError(
                .leaseHeld,
                parameters: [
                    "token": token.name, "holder": granted.holder,
                    "until": Timestamp.format(granted.expiresAt),
                ]
            )
        }
    }

    /// Whether a lease's holder may still be working: the lease has not expired, and its process is alive when it
    /// is of `holder`'s host (another host's process cannot be asked).
    static func isAlive(_ lease: SyncLease, seenFrom holder: Holder, now: Date) -> Bool {
        lease.expiresAt > now && (lease.host != holder.host || processIsAlive(lease.processID))
    }

    /// Whether a process of this host is alive (signal 0 checks without signalling).
    static func processIsAlive(_ processID: Int32) -> Bool {
        processID > 0 && (kill(processID, 0) == 0 || errno == EPERM)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
