public import ADESupport
import Foundation
public import Logging
public import ServiceLifecycle

/// Re-evaluates every token's state on a timer, so that what no sync run decides is recorded too: a date passing
/// (expiring, expired, each step of the expiry ladder), a sync that stopped succeeding, an admin's fix (a default
/// profile set). A change of state is recorded with its `token.state_changed` event; each step of the ladder once,
/// with a `token.expiry_reminder` event. Runs record their own changes at their end; both compare-and-set on the
/// recorded state, so neither overwrites the other. A ServiceLifecycle service beside the sync scheduler.
public struct HealthMonitor: Service {
    public struct Configuration: Sendable {
        /// Between two evaluations.
        public var interval: Duration
        /// The thresholds.
        public var policy: HealthPolicy

        public init(interval: Duration = .seconds(60), policy: HealthPolicy = HealthPolicy()) {
            self.interval = interval
            self.policy = policy
        }
    }

    /// What one evaluation recorded.
    public struct Pass: Sendable, Hashable {
        /// The changes of state recorded, by token name.
        public var transitions: [String: TokenTransition] = [:]
        /// The expiry reminders recorded, by token name.
        public var reminders: [String: ExpiryReminder] = [:]

        public init(transitions: [String: TokenTransition] = [:], reminders: [String: ExpiryReminder] = [:]) {
            self.transitions = transitions
            self.reminders = reminders
        }
    }

    /// The tokens with their runs and facts, and where changes of state and reminders are recorded.
    let store: any TokenStore & SyncRunStore & HealthStore
    let timeSource: any TimeSource
    let configuration: Configuration
    let logger: Logger

    public init(
        store: any TokenStore & SyncRunStore & HealthStore,
        timeSource: any TimeSource,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) {
        self.store = store
        self.timeSource = timeSource
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await evaluate()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("Token health evaluation failed", metadata: ["error": "\(String(describing: error))"])
                }
                do { try await timeSource.sleep(for: configuration.interval) } catch { return }
            }
        }
    }

    /// Evaluates every token once (``TokenOverview/all(store:now:policy:)``: three reads) and records what changed.
    @discardableResult
    public func evaluate() async throws -> Pass {
        let now = timeSource.now()
        var pass = Pass()
        for overview in try await TokenOverview.all(store: store, now: now, policy: configuration.policy) {
            try Task.checkCancellation()
            let (token, health) = (overview.token, overview.health)
            if let transition = TokenTransition.between(token.recordedState, health, at: now),
                try await store.recordTransition(transition, tokenID: token.id)
            {
                pass.transitions[token.name] = transition
                logger.notice(
                    "Token state changed",
                    metadata: [
                        "token": "\(token.name)", "from": "\(transition.from?.rawValue ?? "none")",
                        "to": "\(transition.to.rawValue)", "severity": "\(transition.severity.rawValue)",
                    ]
                )
            }
            if let step = health.expiryStep, let expiry = token.accessTokenExpiry, let days = health.daysLeft {
                let reminder = ExpiryReminder(step: step, daysLeft: days, expiresAt: expiry, at: now)
                if try await store.recordExpiryReminder(reminder, tokenID: token.id) {
                    pass.reminders[token.name] = reminder
                    logger.notice(
                        "Token expiry reminder",
                        metadata: ["token": "\(token.name)", "step_days": "\(step)", "days_left": "\(days)"]
                    )
                }
            }
        }
        return pass
    }
}
