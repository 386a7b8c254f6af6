public import ADESupport
public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The ServiceLifecycle service that syncs every token on its schedule: a delta every ``Configuration/interval``,
/// at most ``Configuration/maximumConcurrentSyncs`` at once, first runs spread by a random delay, token-level
/// failures (expired, terms, rejected, access denied, forbidden) probed on a slow interval so that their state clears
/// by itself once the admin fixes it, transient ones retried sooner. "Sync now" and a token added or renewed wake it,
/// in this process at once and in any other within ``Configuration/changeCheckInterval`` (the store's change stamp).
///
/// Many nodes may run one on the same store: a token is synced by whichever takes its lease first, a node that finds
/// it held tries again when the lease would expire, and "sync now" is kept in the store so that any node with a place
/// free answers it.
public final class SyncScheduler: Service, Sendable {
    /// The schedule.
    public struct Configuration: Sendable {
        /// Between two delta syncs of a token (a token may override it).
        public var interval: TimeInterval
        /// Tokens synced at the same time.
        public var maximumConcurrentSyncs: Int
        /// The shortest time between two "sync now" requests for one token.
        public var minimumSyncNowInterval: TimeInterval
        /// After a token-level failure, how long until the next probe.
        public var tokenFailureProbeInterval: TimeInterval
        /// After a transient failure (Apple unavailable, network), how long until the next try.
        public var transientRetryInterval: TimeInterval
        /// First runs start after a random delay up to this long, so that many tokens do not start together.
        public var startJitter: TimeInterval
        /// The longest sleep: new tokens are noticed at least this often.
        public var idleCheckInterval: TimeInterval
        /// How often the store's change stamp is looked at: a token added, renewed or changed by another process
        /// (`ade token renew` beside a running server) is noticed this soon.
        public var changeCheckInterval: TimeInterval

        public init(
            interval: TimeInterval = 900,
            maximumConcurrentSyncs: Int = 4,
            minimumSyncNowInterval: TimeInterval = 60,
            tokenFailureProbeInterval: TimeInterval = 3600,
            transientRetryInterval: TimeInterval = 300,
            startJitter: TimeInterval = 30,
            idleCheckInterval: TimeInterval = 60,
            changeCheckInterval: TimeInterval = 2
        ) {
            self.interval = interval
            self.maximumConcurrentSyncs = max(1, maximumConcurrentSyncs)
            self.minimumSyncNowInterval = minimumSyncNowInterval
            self.tokenFailureProbeInterval = tokenFailureProbeInterval
            self.transientRetryInterval = transientRetryInterval
            self.startJitter = startJitter
            self.idleCheckInterval = idleCheckInterval
            self.changeCheckInterval = changeCheckInterval
        }
    }

    /// The answer to "sync now".
    public enum SyncNowAnswer: Sendable, Hashable {
        /// A sync starts at once.
        case started
        /// Too soon after the last request; the next may start at this time.
        case tooSoon(nextAllowed: Date)
    }

    /// Error codes after which only a slow probe is worth making.
    static let tokenLevelCodes: Set<String> = [
        "terms_not_signed", "token_rejected", "token_expired", "signature_invalid", "oauth_unauthorized",
        "unauthorized", "access_denied", "forbidden", "not_uploaded",
    ]

    private struct State {
        var forced: Set<Int64> = []
        var jitter: [Int64: TimeInterval] = [:]
        var pendingWakeup = false
        var waiter: CheckedContinuation<Void, Never>?
        var syncing: Set<Int64> = []
        var peak = 0
    }

    /// What the scheduler reads and writes: the tokens, their runs, leases and "sync now" requests, the change stamp.
    let store: any TokenStore & SyncRunStore & LeaseStore & SyncRequestStore & ChangeTracking
    let syncer: TokenSyncer
    let timeSource: any TimeSource
    let configuration: Configuration
    let holder: TokenSyncer.Holder
    let logger: Logger
    private let state = Mutex(State())

    public init(
        store: any TokenStore & SyncRunStore & LeaseStore & SyncRequestStore & ChangeTracking,
        syncer: TokenSyncer,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        holder: TokenSyncer.Holder = .current(),
        logger: Logger
    ) {
        self.store = store
        self.syncer = syncer
        self.timeSource = timeSource
        self.configuration = configuration
        self.holder = holder
        self.logger = logger
    }

    /// Runs until cancelled or a graceful shutdown; a sync in progress finishes its page and stops.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.loop()
        }
    }

    /// Asks for a sync of a token now. The request is kept in the store: this node starts it when it has a place
    /// free, and any other node with one does so within ``Configuration/changeCheckInterval``, whichever takes the
    /// lease first. Requests closer together than ``Configuration/minimumSyncNowInterval`` are refused, whichever node
    /// they were made on.
    /// - Throws: a store error when the request cannot be recorded.
    public func syncNow(tokenID: Int64) async throws -> SyncNowAnswer {
        let now = timeSource.now()
        // Both ways: a store may keep the time a little rounded (SQLite's), and another node's clock may be ahead.
        if let last = try await store.syncRequests()[tokenID],
            abs(now.timeIntervalSince(last)) < configuration.minimumSyncNowInterval
        {
            return .tooSoon(nextAllowed: last.addingTimeInterval(configuration.minimumSyncNowInterval))
        }
        try await store.requestSync(tokenID: tokenID, at: now)
        state.withLock { _ = $0.forced.insert(tokenID) }
        wake()
        return .started
    }

    /// A token was added or renewed: sync it at once.
    public func tokenChanged(tokenID: Int64) {
        state.withLock { _ = $0.forced.insert(tokenID) }
        wake()
    }

    /// The tokens syncing now.
    public var syncing: Set<Int64> { state.withLock { $0.syncing } }

    /// The most tokens that synced at the same time since the scheduler started.
    public var peakConcurrentSyncs: Int { state.withLock { $0.peak } }

    // MARK: - Loop

    /// A sliding window: a token starts as soon as it is due and a place is free, so one slow token never holds the
    /// others back. The plan is read from the store when a timer fires or something wakes the scheduler (so at least
    /// every ``Configuration/idleCheckInterval``); a sync that ends updates its own token's entry only, so a burst of
    /// 2,000 first syncs reads the store's token list a handful of times, not 2,000.
    private func loop() async throws {
        do {
            try await syncer.closeAbandonedRuns(holder: holder)
        } catch {
            logger.warning("Runs cut short could not be closed", metadata: ["error": "\(error)"])
        }
        try await withThrowingTaskGroup(of: Finished?.self) { group in
            var running: Set<Int64> = []
            var sleeping = false
            var plan: [Int64: (token: EnrollmentToken, due: Date)] = [:]
            var stale = true
            var readStamp = store.changeStamp()
            var nextRead = Date.distantPast
            while !Task.isCancelled {
                let now = timeSource.now()
                if stale {
                    do {
                        readStamp = store.changeStamp()
                        plan = Dictionary(
                            try await schedule(now: now).map { ($0.token.id, $0) },
                            uniquingKeysWith: { first, _ in first }
                        )
                        stale = false
                    } catch is CancellationError {
                        break
                    } catch {
                        // The database is away (a PostgreSQL restart): the plan is read again at the next wake-up,
                        // and the server goes on serving meanwhile.
                        logger.warning("The sync plan could not be read", metadata: ["error": "\(error)"])
                    }
                }
                let ready = plan.values.filter { $0.due <= now && !running.contains($0.token.id) }
                for entry in ready.sorted(by: { $0.due < $1.due }) {
                    guard running.count < configuration.maximumConcurrentSyncs else { break }
                    running.insert(entry.token.id)
                    publish(running)
                    group.addTask { await self.sync(entry.token) }
                }
                if !sleeping {
                    // Tokens due now wait for a place (a sync ending wakes the loop), not for a timer.
                    let waiting = plan.values.filter { !running.contains($0.token.id) && $0.due > now }.map(\.due)
                    let next = waiting.min() ?? now.addingTimeInterval(configuration.idleCheckInterval)
                    nextRead = min(next, now.addingTimeInterval(configuration.idleCheckInterval))
                    let wait = min(
                        max(nextRead.timeIntervalSince(now), 0.001),
                        configuration.changeCheckInterval
                    )
                    sleeping = true
                    group.addTask {
                        await self.sleepOrWake(for: wait)
                        return nil
                    }
                }
                guard let finished = try await group.next() else { break }
                if let finished {
                    let token = finished.token
                    running.remove(token.id)
                    publish(running)
                    let due = due(
                        token,
                        after: finished.run,
                        requested: nil,
                        notBefore: finished.notBefore,
                        now: timeSource.now()
                    )
                    plan[token.id] = (token, due)
                } else {
                    // Woken by the timer or by a request: the plan is read again when something is due, something
                    // was asked for, or another process (or this one) committed a change since the last read.
                    sleeping = false
                    stale =
                        stale || timeSource.now() >= nextRead || state.withLock { !$0.forced.isEmpty }
                        || store.changeStamp() != readStamp
                }
            }
            group.cancelAll()
        }
    }

    /// Makes the loop's running set visible to ``syncing`` and ``peakConcurrentSyncs``.
    private func publish(_ running: Set<Int64>) {
        state.withLock { state in
            state.syncing = running
            state.peak = max(state.peak, running.count)
        }
    }

    /// When each uploaded token is next due: three reads whatever the number of tokens, and the lease of each token
    /// another holder is syncing.
    func schedule(now: Date) async throws -> [(token: EnrollmentToken, due: Date)] {
        let latest = try await store.latestRuns()
        let requests = try await store.syncRequests()
        var held: [Int64: Date] = [:]
        for (tokenID, run) in latest where run.outcome == .running {
            held[tokenID] = try await heldUntil(tokenID: tokenID, now: now)
        }
        return try await store.tokens().filter { $0.uploadedAt != nil }.map { token in
            (
                token,
                due(token, after: latest[token.id], requested: requests[token.id], notBefore: held[token.id], now: now)
            )
        }
    }

    /// Until when another holder may be syncing a token whose latest run is still running: its lease's expiry, or
    /// `now` when the lease is gone, expired, or of a process of this host that died (the run is then closed as
    /// interrupted by the next run, which takes over at once). Nil for this scheduler's own runs.
    private func heldUntil(tokenID: Int64, now: Date) async throws -> Date? {
        guard let lease = try await store.lease(tokenID: tokenID) else { return now }
        if lease.holder == holder.name { return nil }
        return TokenSyncer.isAlive(lease, seenFrom: holder, now: now) ? lease.expiresAt : now
    }

    /// When a token is next due: now when asked for (added or renewed in this process, or "sync now" on any node
    /// since its latest run began), or when its server token was uploaded after its latest run began (a renewal by
    /// any process: the run that failed used the old one), else after its latest run; never before `notBefore` (when
    /// another holder's lease expires, or when the database may be back).
    private func due(
        _ token: EnrollmentToken,
        after last: SyncRun?,
        requested: Date?,
        notBefore: Date?,
        now: Date
    ) -> Date {
        // Its latest run goes on elsewhere: whatever was asked for waits for that lease (a request made during the
        // run is answered by the next one, since the run began before it).
        if last?.outcome == .running, let notBefore { return notBefore }
        let due = due(token, after: last, requested: requested, now: now)
        return notBefore.map { max($0, due) } ?? due
    }

    private func due(_ token: EnrollmentToken, after last: SyncRun?, requested: Date?, now: Date) -> Date {
        if state.withLock({ $0.forced.contains(token.id) }) { return now }
        if let requested, requested > (last?.startedAt ?? .distantPast) { return now }
        if let last, let uploaded = token.uploadedAt, uploaded > last.startedAt, last.outcome != .running {
            return now
        }
        guard let last else {
            // Never synced: at once, plus a random delay of its own so that many new tokens do not start together.
            let jitter = state.withLock { state in
                if let jitter = state.jitter[token.id] { return jitter }
                let jitter = Double.random(in: 0...max(configuration.startJitter, 0))
                state.jitter[token.id] = jitter
                return jitter
            }
            return (token.uploadedAt ?? now).addingTimeInterval(jitter)
        }
        let ended = last.endedAt ?? last.startedAt
        let wait: TimeInterval
        switch last.outcome {
        case .succeeded:
            wait = token.syncIntervalSeconds.map(TimeInterval.init) ?? configuration.interval
        case .failed where Self.tokenLevelCodes.contains(last.errorCode ?? ""):
            wait = configuration.tokenFailureProbeInterval
        case .failed:
            wait = configuration.transientRetryInterval
        case .interrupted:
            // Cut short by a shutdown or a crash: it resumes at once where its last page left it.
            wait = 0
        case .running:
            // Another holder's run (its lease says until when, ``heldUntil``), or one whose process died.
            wait = syncer.configuration.leaseDuration
        }
        return ended.addingTimeInterval(wait)
    }

    /// What a sync task tells the loop.
    private struct Finished: Sendable {
        var token: EnrollmentToken
        /// The token's latest run: the one recorded, or nil when none could be read.
        var run: SyncRun?
        /// Not to be tried before: when another holder's lease expires if the token was found held, or a moment
        /// later if the store could not be reached.
        var notBefore: Date?
    }

    /// Syncs a token; returns its latest run, and when the lease expires if another holder has it.
    private func sync(_ token: EnrollmentToken) async -> Finished {
        state.withLock { _ = $0.forced.remove(token.id) }
        var notBefore: Date?
        do {
            let run = try await syncer.run(token, holder: holder)
            logger.info(
                "Sync finished",
                metadata: ["token": "\(token.name)", "kind": "\(run.kind)", "pages": "\(run.pages)"]
            )
            return Finished(token: token, run: run)
        } catch let error as SyncError where error.code == .leaseHeld {
            logger.debug("Token synced elsewhere", metadata: ["token": "\(token.name)"])
            let lease = try? await store.lease(tokenID: token.id)
            notBefore = lease?.expiresAt ?? timeSource.now().addingTimeInterval(syncer.configuration.leaseDuration)
        } catch let error as StoreError where error.code == .unavailable {
            // The database is away (restarting): the run, cut short, resumes once it is back.
            logger.warning("Sync stopped: the database cannot be reached", metadata: ["token": "\(token.name)"])
            notBefore = timeSource.now().addingTimeInterval(configuration.changeCheckInterval)
        } catch {
            let code = (error as? any CataloguedError)?.catalogueCode ?? "\(type(of: error))"
            logger.notice("Sync failed", metadata: ["token": "\(token.name)", "error": "\(code)"])
        }
        return Finished(
            token: token,
            run: try? await store.runs(tokenID: token.id, limit: 1).first,
            notBefore: notBefore
        )
    }

    // MARK: - Waking

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pendingWakeup = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Sleeps on the time source, or less when woken.
    private func sleepOrWake(for seconds: TimeInterval) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.timeSource.sleep(for: .interval(seconds)) }
            group.addTask { await self.waitForWakeup() }
            await group.next()
            group.cancelAll()
            self.wake()  // Releases the wake-up waiter if the sleep won.
            await group.waitForAll()
            self.state.withLock { $0.pendingWakeup = false }
        }
    }

    private func waitForWakeup() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pendingWakeup {
                        state.pendingWakeup = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.wake()
        }
    }
}
