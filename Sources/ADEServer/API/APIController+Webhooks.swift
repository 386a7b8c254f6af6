import ADECore
import ADESupport
import Foundation
import Hummingbird

/// Webhooks over `/api/v1`: the receivers of the outbox's events, their delivery logs, and a test delivery. A new
/// webhook's signing secret is in the answer that creates it, and never again.
extension APIController {
    struct WebhookBody: APIRequestBody {
        var name: String?
        var url: String?
        var allowPrivateNetwork: Bool?

        enum CodingKeys: String, CodingKey {
            case name, url
            case allowPrivateNetwork = "allow_private_network"
        }

        static let fields = ["name", "url", "allow_private_network"]
        static let example = #"{"name": "…", "url": "https://…", "allow_private_network": false}"#
    }

    func addWebhookRoutes(to group: RouterGroup<ADERequestContext>) {
        group.get("webhooks", use: listWebhooks)
        group.post("webhooks", use: createWebhook)
        group.delete("webhooks/:webhook", use: deleteWebhook)
        group.get("webhooks/:webhook/deliveries", use: listDeliveries)
        group.post("webhooks/:webhook/test", use: testWebhook)
    }

    /// The webhooks' service, or 404 for every route when this server has none.
    func webhookService() throws -> WebhookService {
        guard let webhooks = dependencies.webhooks else {
            throw APIError(.notFound, ServerError(.notFound))
        }
        return webhooks
    }

    @Sendable func listWebhooks(_ request: Request, context: ADERequestContext) async throws -> APIModels.WebhookList {
        try await api { APIModels.WebhookList(webhooks: try await webhookService().list().map(APIModels.Webhook.init)) }
    }

    @Sendable func createWebhook(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let body = try await decode(WebhookBody.self, request)
            let (webhook, secret) = try await webhookService().add(
                name: body.name ?? "",
                url: body.url ?? "",
                allowsPrivateNetwork: body.allowPrivateNetwork ?? false
            )
            await dependencies.audit(context, "webhook.create", webhook.name)
            return try APIModels.WebhookCreated(webhook: APIModels.Webhook(webhook), secret: secret)
                .response(from: request, context: context)
                .withStatus(.created)
        }
    }

    @Sendable func deleteWebhook(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let name = try context.pathParameter("webhook")
            try await webhookService().delete(named: name)
            await dependencies.audit(context, "webhook.delete", name)
            return Response(status: .noContent)
        }
    }

    @Sendable func listDeliveries(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.DeliveryList
    {
        try await api {
            let service = try webhookService()
            let webhook = try await service.webhook(named: try context.pathParameter("webhook"))
            let limit = try request.integer("limit", default: 50, range: 1...1000)
            return APIModels.DeliveryList(
                webhook: webhook.name,
                deliveries: try await service.deliveries(named: webhook.name, limit: limit).map(APIModels.Delivery.init)
            )
        }
    }

    @Sendable func testWebhook(_ request: Request, context: ADERequestContext) async throws -> APIModels.WebhookTest {
        try await api {
            let webhook = try await webhookService().webhook(named: try context.pathParameter("webhook"))
            guard let test = dependencies.testWebhook else { throw APIError(.notFound, ServerError(.notFound)) }
            let (status, error) = try await test(webhook)
            return APIModels.WebhookTest(
                webhook: webhook.name,
                statusCode: status,
                error: error.map { error in
                    let (message, remedy) = APIError.describe(error, locale: context.locale)
                    return APIError.Body.Detail(code: error.catalogueCode, message: message, remedy: remedy)
                }
            )
        }
    }
}

extension APIModels {
    /// A webhook as the API shows it: the URL masked, never the secret.
    struct Webhook: Encodable {
        var name: String
        var url: String
        var privateNetwork: Bool
        var failures: Int
        var nextAttemptAt: String?
        var lastEventID: Int64
        var createdAt: String

        init(_ webhook: WebhookEndpoint) {
            name = webhook.name
            url = webhook.maskedURL
            privateNetwork = webhook.allowsPrivateNetwork
            failures = webhook.failures
            nextAttemptAt = webhook.nextAttemptAt.map(Timestamp.format)
            lastEventID = webhook.lastEventID
            createdAt = Timestamp.format(webhook.createdAt)
        }

        enum CodingKeys: String, CodingKey {
            case name, url, failures
            case privateNetwork = "private_network"
            case nextAttemptAt = "next_attempt_at"
            case lastEventID = "last_event_id"
            case createdAt = "created_at"
        }
    }

    struct WebhookList: ResponseEncodable {
        var webhooks: [Webhook]
    }

    struct WebhookCreated: ResponseEncodable {
        var webhook: Webhook
        /// The signing secret, in this answer only.
        var secret: String
    }

    /// One attempt of the delivery log.
    struct Delivery: Encodable {
        var eventID: Int64
        var attempt: Int
        var statusCode: Int?
        var error: String?
        var durationMilliseconds: Int
        var at: String

        init(_ delivery: WebhookDelivery) {
            eventID = delivery.eventID
            attempt = delivery.attempt
            statusCode = delivery.statusCode
            error = delivery.error
            durationMilliseconds = delivery.durationMilliseconds
            at = Timestamp.format(delivery.at)
        }

        enum CodingKeys: String, CodingKey {
            case attempt, error, at
            case eventID = "event_id"
            case statusCode = "status_code"
            case durationMilliseconds = "duration_ms"
        }
    }

    struct DeliveryList: ResponseEncodable {
        var webhook: String
        var deliveries: [Delivery]
    }

    struct WebhookTest: ResponseEncodable {
        var webhook: String
        var statusCode: Int?
        var error: APIError.Body.Detail?

        enum CodingKeys: String, CodingKey {
            case webhook, error
            case statusCode = "status_code"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(webhook, forKey: .webhook)
            try container.encode(statusCode, forKey: .statusCode)
            try container.encode(error, forKey: .error)
        }
    }
}
