import ADECore
import Foundation
import Hummingbird

/// The console's webhooks: the receivers of `ade`'s events with their state, a form to add one (its signing secret
/// shown once, on the page that added it), a test delivery, deletion, and each one's delivery log.
extension ConsoleController {
    struct WebhookForm: Decodable {
        var csrf: String
        var name: String
        var url: String
        var allowPrivateNetwork: String?
    }

    func addWebhookRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("webhooks", use: webhooksPage)
        pages.post("webhooks", use: createWebhook)
        pages.post("webhooks/:webhook/test", use: testWebhook)
        pages.post("webhooks/:webhook/delete", use: deleteWebhook)
    }

    @Sendable func webhooksPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await webhooksPage(request, context: context, values: [:])
    }

    /// The page, with `values` added (a kept form, a new secret) and the frame's notice or problem.
    func webhooksPage(
        _ request: Request,
        context: ADERequestContext,
        values extra: [String: Any],
        notice: String? = nil,
        problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let service = dependencies.webhooks else {
            return notFound(ServerError(.notFound), request, context)
        }
        let webhooks = try await service.list()
        var values: [String: Any] = [
            "webhooks": webhooks.map { webhook -> [String: Any] in
                [
                    "name": webhook.name, "path": webhook.name.pathEscaped, "url": webhook.maskedURL,
                    "privateNetwork": webhook.allowsPrivateNetwork, "failures": webhook.failures,
                    "next": webhook.nextAttemptAt.map { Self.dateTime($0, context) } ?? "—",
                ]
            },
            "hasWebhooks": !webhooks.isEmpty,
            "canTest": dependencies.testWebhook != nil,
            "form": ["name": "", "url": "", "allowPrivateNetwork": false],
        ]
        if let name = request.uri.queryParameters.get("log"), let webhook = webhooks.first(where: { $0.name == name }) {
            let log = try await service.deliveries(named: webhook.name, limit: 50)
            values["log"] = Self.deliveryLog(name: webhook.name, log, context)
        }
        values.merge(extra) { _, new in new }
        let overviews = try await dependencies.overviews()
        var frame = frame(title: context.text(.webhooksTitle), overviews: overviews, context: context)
        frame.breadcrumb = [.init(label: context.text(.webhooksTitle))]
        frame.notice = notice ?? Self.webhookNotice(request, context)
        frame.problem = problem
        return renderer.page(
            "webhooks",
            frame: frame,
            context: context,
            request: request,
            values: values,
            status: status
        )
    }

    @Sendable func createWebhook(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(WebhookForm.self, request, context)
        guard let service = dependencies.webhooks else { return notFound(ServerError(.notFound), request, context) }
        do {
            let (webhook, secret) = try await service.add(
                name: form.name,
                url: form.url,
                allowsPrivateNetwork: form.allowPrivateNetwork == "on"
            )
            await dependencies.audit(context, "webhook.create", webhook.name)
            // The secret is shown on this answer only: never in a URL, never again.
            return try await webhooksPage(
                request,
                context: context,
                values: ["created": ["name": webhook.name, "secret": secret]],
                notice: context.text(.noticeWebhookAdded, ["name": .string(webhook.name)]),
                status: .created
            )
        } catch let error as WebhookError {
            return try await webhooksPage(
                request,
                context: context,
                values: [
                    "form": [
                        "name": form.name, "url": form.url, "allowPrivateNetwork": form.allowPrivateNetwork == "on",
                    ]
                ],
                problem: describe(error, context),
                status: .unprocessableContent
            )
        }
    }

    @Sendable func testWebhook(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        guard let service = dependencies.webhooks, let test = dependencies.testWebhook else {
            return notFound(ServerError(.notFound), request, context)
        }
        do {
            let webhook = try await service.webhook(named: try context.pathParameter("webhook"))
            let (status, error) = try await test(webhook)
            if let error {
                return try await webhooksPage(
                    request,
                    context: context,
                    values: [:],
                    problem: context.text(.webhookTestFailed, ["name": .string(webhook.name)]) + " "
                        + describe(error, context)
                )
            }
            return try await webhooksPage(
                request,
                context: context,
                values: [:],
                notice: context.text(
                    .webhookTestAnswered,
                    ["name": .string(webhook.name), "status": .int(status ?? 0)]
                )
            )
        } catch let error as WebhookError {
            return notFound(error, request, context)
        }
    }

    @Sendable func deleteWebhook(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        guard let service = dependencies.webhooks else { return notFound(ServerError(.notFound), request, context) }
        let name = try context.pathParameter("webhook")
        do {
            try await service.delete(named: name)
        } catch let error as WebhookError {
            return notFound(error, request, context)
        }
        await dependencies.audit(context, "webhook.delete", name)
        return Response.redirect(to: "/webhooks?notice=webhook_deleted", type: .normal)
    }

    /// A delivery log as the Webhooks and Alerts pages show it. An attempt without error and without HTTP status is an
    /// e-mail handed to its server ("OK").
    static func deliveryLog(name: String, _ log: [WebhookDelivery], _ context: ADERequestContext) -> [String: Any] {
        [
            "name": name,
            "entries": log.map { delivery -> [String: Any] in
                [
                    "at": dateTime(delivery.at, context), "event": delivery.eventID, "attempt": delivery.attempt,
                    "result": delivery.error.map { Self.deliveryError($0, locale: context.locale) }
                        ?? delivery.statusCode.map { "HTTP \($0)" } ?? "OK",
                    "delivered": delivery.error == nil, "duration": delivery.durationMilliseconds,
                ]
            },
            "empty": log.isEmpty,
        ]
    }

    /// A failed attempt as the log keeps it (`code` or `code: value`, ``NotifyError/logText``), in the reader's
    /// words: the value fills the one placeholder its message has.
    static func deliveryError(_ recorded: String, locale: MessageLocale) -> String {
        let parts = recorded.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let code = parts.first ?? recorded
        let value = parts.count > 1 && !parts[1].isEmpty ? parts[1] : "—"
        let catalogue = MessageCatalogue.bundled
        var parameters: [String: String] = [:]
        if case .text(let template) = catalogue.languages["en"]?["error.notify.\(code).message"] {
            for name in MessageCatalogue.placeholders(in: template) { parameters[name] = value }
        }
        return catalogue.errorMessage(code: code, parameters: parameters, subsystems: ["notify"], locale: locale)
            ?? recorded
    }

    static func webhookNotice(_ request: Request, _ context: ADERequestContext) -> String? {
        request.uri.queryParameters.get("notice") == "webhook_deleted" ? context.text(.noticeWebhookDeleted) : nil
    }
}
