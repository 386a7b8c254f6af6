public import Foundation

/// One sync of one token, as the store records it.
public struct SyncRun: Sendable, Hashable, Identifiable, Codable {
    /// A full fetch or a delta sync.
    public enum Kind: String, Sendable, Hashable, Codable {
        case full, delta
    }

    /// How the run ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Still going (or its process died; a later run closes it as ``interrupted``).
        case running
        case succeeded
        case failed
        /// Its process stopped before it ended.
        case interrupted
    }

    public var id: Int64
    public var tokenID: Int64
    public var kind: Kind
    public var startedAt: Date
    public var endedAt: Date?
    public var pages: Int
    public var added: Int
    public var modified: Int
    public var removed: Int
    public var outcome: Outcome
    /// The error's stable code when it failed (`terms_not_signed`, `cursor_expired` …).
    public var errorCode: String?
    /// The error's non-secret details (`skewSeconds` of a clock skew, `status` of a server error …).
    public var errorParameters: [String: String]

    public init(
        id: Int64,
        tokenID: Int64,
        kind: Kind,
        startedAt: Date,
        endedAt: Date? = nil,
        pages: Int = 0,
        added: Int = 0,
        modified: Int = 0,
        removed: Int = 0,
        outcome: Outcome = .running,
        errorCode: String? = nil,
        errorParameters: [String: String] = [:]
    ) {
        self.id = id
        self.tokenID = tokenID
        self.kind = kind
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.pages = pages
        self.added = added
        self.modified = modified
        self.removed = removed
        self.outcome = outcome
        self.errorCode = errorCode
        self.errorParameters = errorParameters
    }
}

/// What the token list needs of a token's history: its newest finished run, newest success and newest failure.
public struct RunSummary: Sendable, Hashable {
    /// The newest run that is not running.
    public var lastFinished: SyncRun?
    public var lastSuccess: SyncRun?
    public var lastFailure: SyncRun?

    public init(lastFinished: SyncRun? = nil, lastSuccess: SyncRun? = nil, lastFailure: SyncRun? = nil) {
        self.lastFinished = lastFinished
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
    }

    /// The summary of runs listed newest first.
    public init(newestFirst runs: [SyncRun]) {
        self.init(
            lastFinished: runs.first { $0.outcome != .running },
            lastSuccess: runs.first { $0.outcome == .succeeded },
            lastFailure: runs.first { $0.outcome == .failed }
        )
    }
}

/// Who syncs a token now: one holder at a time, until the lease expires or is released.
public struct SyncLease: Sendable, Hashable, Codable {
    public var tokenID: Int64
    /// A unique name of the holder (`host:pid:random`).
    public var holder: String
    /// The holder's host and process, so that a lease of a process that is gone can be taken over at once.
    public var host: String
    public var processID: Int32
    public var expiresAt: Date

    public init(tokenID: Int64, holder: String, host: String, processID: Int32, expiresAt: Date) {
        self.tokenID = tokenID
        self.holder = holder
        self.host = host
        self.processID = processID
        self.expiresAt = expiresAt
    }

    /// Whether `holder` may take the token when this lease holds it: it is the holder's own, it has expired at
    /// `now`, or it is held by `replacing` (a holder the caller found dead). Every store decides a take-over by it.
    public func yields(to holder: String, now: Date, replacing: String?) -> Bool {
        self.holder == holder || expiresAt <= now || self.holder == replacing
    }
}

/// The lease a page write renews: the write happens only while `holder` still holds the token's lease, and extends
/// it to `until` in the same transaction, so a holder that lost its lease never writes another page.
public struct LeaseRenewal: Sendable, Hashable {
    public var holder: String
    public var until: Date
    /// The run the page belongs to: its counters (pages, added, modified, removed) grow with the page in the same
    /// transaction, so a run whose process dies still shows what it wrote.
    public var runID: Int64?

    public init(holder: String, until: Date, runID: Int64? = nil) {
        self.holder = holder
        self.until = until
        self.runID = runID
    }
}
