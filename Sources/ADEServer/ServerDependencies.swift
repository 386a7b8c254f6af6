public import ADECore
public import ADESupport
public import Foundation
import Hummingbird
import Logging
public import Prometheus

/// Sends a signed test event to a webhook now: the receiver's HTTP status, or why it was not reached.
public typealias WebhookTester =
    @Sendable (WebhookEndpoint) async throws -> (
        status: Int?, error: (any CataloguedError)?
    )

/// What the server works with, built once by its caller (`ade serve`, `ade demo`, tests).
public struct ServerDependencies: Sendable {
    public var store: any ADEStore
    public var tokens: TokenService
    /// The sync engine, when this process runs one ("sync now" needs it).
    public var scheduler: SyncScheduler?
    public var timeSource: any TimeSource
    /// The service URL of tokens added in the console: nil for Apple's (`ade demo` gives its simulator's).
    public var defaultServiceURL: @Sendable () -> URL?
    /// Where the sync engine's counters are kept, for `/metrics`.
    public var metrics: PrometheusCollectorRegistry
    /// The control API of a simulator of Apple's service (`ade demo`), once it listens: the console then has a demo
    /// panel that switches the simulator's faults on and off. The server only speaks HTTP to it.
    public var simulatorControl: (@Sendable () -> URL?)?
    /// How profile assignments on demand pace themselves (the sync engine's assigner has its own).
    public var assignmentPolicy: AssignmentPolicy
    /// The webhooks that receive the outbox's events; nil: the API and console do not offer them.
    public var webhooks: WebhookService?
    /// Sends a test to a webhook or an alert channel now (the delivery service's); nil: no test button.
    public var testWebhook: WebhookTester?
    /// The alert channels; nil: the console does not offer them.
    public var alertChannels: AlertChannelService?
    /// The thresholds of the token states (as the sync engine and the health monitor of this server use them).
    public var healthPolicy: HealthPolicy

    public init(
        store: any ADEStore,
        tokens: TokenService,
        scheduler: SyncScheduler?,
        timeSource: any TimeSource,
        defaultServiceURL: @escaping @Sendable () -> URL? = { nil },
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        simulatorControl: (@Sendable () -> URL?)? = nil,
        assignmentPolicy: AssignmentPolicy = AssignmentPolicy(),
        webhooks: WebhookService? = nil,
        testWebhook: WebhookTester? = nil,
        alertChannels: AlertChannelService? = nil,
        healthPolicy: HealthPolicy = HealthPolicy()
    ) {
        self.healthPolicy = healthPolicy
        self.assignmentPolicy = assignmentPolicy
        self.webhooks = webhooks
        self.testWebhook = testWebhook
        self.alertChannels = alertChannels
        self.metrics = metrics
        self.simulatorControl = simulatorControl
        self.store = store
        self.tokens = tokens
        self.scheduler = scheduler
        self.timeSource = timeSource
        self.defaultServiceURL = defaultServiceURL
    }

    /// Every token's overview now, judged with this server's policy.
    func overviews() async throws -> [TokenOverview] {
        try await TokenOverview.all(store: store, now: timeSource.now(), policy: healthPolicy)
    }

    /// One token's overview now, judged with this server's policy.
    func overview(of token: EnrollmentToken) async throws -> TokenOverview {
        try await TokenOverview.make(token, store: store, now: timeSource.now(), policy: healthPolicy)
    }

    /// The assigner for profile assignments on demand, logging as the request.
    func profileAssigner(_ context: ADERequestContext) -> ProfileAssigner {
        ProfileAssigner(
            store: store,
            client: tokens.client,
            timeSource: timeSource,
            policy: assignmentPolicy,
            logger: context.logger
        )
    }

    /// The device details refresher, logging as the request.
    func deviceRefresher(_ context: ADERequestContext) -> DeviceRefresher {
        DeviceRefresher(tokens: tokens, store: store, timeSource: timeSource, logger: context.logger)
    }

    /// The profile service, logging as the request.
    func profiles(_ context: ADERequestContext) -> ProfileService {
        ProfileService(
            tokens: tokens,
            assigner: profileAssigner(context),
            timeSource: timeSource,
            logger: context.logger
        )
    }

    /// Records a change made through the console or the API in the audit log (and the server's log): the actor, the
    /// source, the action, its target and the non-secret fields before and after. A failure to record is logged; the
    /// change itself has happened already.
    func audit(
        _ context: ADERequestContext,
        _ action: String,
        _ target: String,
        before: [String: String]? = nil,
        after: [String: String]? = nil
    ) async {
        let source: AuditEntry.Source
        switch context.identity {
        case .apiToken: source = .api
        case .user, nil: source = .console
        }
        let actor = context.identity?.displayName ?? "anonymous"
        context.logger.notice(
            "Change",
            metadata: ["audit.actor": "\(actor)", "audit.action": "\(action)", "audit.target": "\(target)"]
        )
        do {
            _ = try await store.appendAudit(
                AuditEntry(
                    at: timeSource.now(),
                    actor: actor,
                    source: source,
                    action: action,
                    target: target,
                    before: before,
                    after: after
                )
            )
        } catch {
            context.logger.error("The audit log could not record a change", metadata: ["error": "\(error)"])
        }
    }
}
