import ADECore
import ADENotify
import ADESupport
import Foundation
import Logging

extension WebhookDeliveryService {
    /// What `ade serve` and `ade demo` run for webhooks and alert channels: the services that configure them (the
    /// console and the API) and the one that delivers the outbox's events and sends their tests.
    /// - Parameter consoleURL: The console's public base URL, which alerts link to.
    static func serving(
        store: any OutboxStore & WebhookStore & TokenStore & SyncRunStore & HealthStore,
        box: SecretBox,
        consoleURL: URL?,
        healthPolicy: HealthPolicy = HealthPolicy(),
        logger: Logger
    ) -> (
        webhooks: WebhookService, alertChannels: AlertChannelService, delivery: WebhookDeliveryService
    ) {
        (
            WebhookService(store: store, box: box, timeSource: SystemTimeSource(), logger: logger),
            AlertChannelService(store: store, box: box, timeSource: SystemTimeSource(), logger: logger),
            WebhookDeliveryService(
                store: store,
                box: box,
                timeSource: SystemTimeSource(),
                configuration: Configuration(
                    consoleURL: consoleURL,
                    extraCAFile: ProcessInfo.processInfo.environment["ADE_EXTRA_CA_FILE"],
                    healthPolicy: healthPolicy
                ),
                logger: logger
            )
        )
    }
}
