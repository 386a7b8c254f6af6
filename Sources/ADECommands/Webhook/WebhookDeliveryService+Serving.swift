import ADECore
import ADENotify
import DEPClient
import Logging

extension WebhookDeliveryService {
    /// What `ade serve` and `ade demo` run for webhooks: the service that configures them (the console and the
    /// API) and the one that delivers the outbox's events and sends their tests.
    static func serving(store: any ADEStore, box: SecretBox, logger: Logger) -> (
        webhooks: WebhookService, delivery: WebhookDeliveryService
    ) {
        (
            WebhookService(store: store, box: box, timeSource: SystemTimeSource(), logger: logger),
            WebhookDeliveryService(store: store, box: box, timeSource: SystemTimeSource(), logger: logger)
        )
    }
}
