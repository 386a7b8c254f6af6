public import ADECore
public import DEPClient

/// What the server works with, built once by its caller (`ade serve`, `ade demo`, tests).
public struct ServerDependencies: Sendable {
    public var store: any ADEStore
    public var tokens: TokenService
    /// The sync engine, when this process runs one ("sync now" needs it).
    public var scheduler: SyncScheduler?
    public var timeSource: any TimeSource

    public init(store: any ADEStore, tokens: TokenService, scheduler: SyncScheduler?, timeSource: any TimeSource) {
        self.store = store
        self.tokens = tokens
        self.scheduler = scheduler
        self.timeSource = timeSource
    }
}
