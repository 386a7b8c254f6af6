import ADECore
import Foundation
import Hummingbird

/// The console's alert channels: where alerts go (Slack, Teams, a signed webhook, e-mail), each in its language,
/// with a form to add one, a test alert, deletion and each one's delivery log.
extension ConsoleController {
    struct AlertChannelForm: Decodable {
        var csrf: String
        var name: String
        var kind: String
        var url: String
        var language: String
        var from: String?
        var to: String?
        var password: String?
        var allowPrivateNetwork: String?
    }

    func addAlertRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("alerts", use: alertsPage)
        pages.post("alerts", use: createAlertChannel)
        pages.post("alerts/:channel/test", use: testAlertChannel)
        pages.post("alerts/:channel/delete", use: deleteAlertChannel)
    }

    @Sendable func alertsPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await alertsPage(request, context: context, values: [:])
    }

    func alertsPage(
        _ request: Request,
        context: ADERequestContext,
        values extra: [String: Any],
        form: AlertChannelForm? = nil,
        notice: String? = nil,
        problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let service = dependencies.alertChannels else {
            return notFound(ServerError(.notFound), request, context)
        }
        let channels = try await service.list()
        let chosenKind = form?.kind ?? AlertChannelKind.slack.rawValue
        let chosenLanguage = form?.language ?? context.locale.identifier
        var values: [String: Any] = [
            "channels": channels.map { channel -> [String: Any] in
                [
                    "name": channel.name, "path": channel.name.pathEscaped,
                    "kind": context.text((channel.channel ?? .webhook).nameKey),
                    "target": channel.maskedURL,
                    "language": MessageCatalogue.bundled.string(
                        .languageName,
                        locale: MessageLocale(channel.locale ?? "en")
                    ),
                    "failures": channel.failures,
                    "next": channel.nextAttemptAt.map { Self.dateTime($0, context) } ?? "—",
                ]
            },
            "hasChannels": !channels.isEmpty,
            "canTest": dependencies.testWebhook != nil,
            "kinds": AlertChannelKind.allCases.map { kind -> [String: Any] in
                [
                    "value": kind.rawValue, "label": context.text(kind.nameKey),
                    "selected": kind.rawValue == chosenKind,
                ]
            },
            "channelLanguages": MessageCatalogue.bundled.locales.map { locale -> [String: Any] in
                [
                    "code": locale.identifier,
                    "name": MessageCatalogue.bundled.string(.languageName, locale: locale),
                    "selected": locale.identifier == chosenLanguage,
                ]
            },
            "form": [
                "name": form?.name ?? "", "url": form?.url ?? "", "from": form?.from ?? "", "to": form?.to ?? "",
                "allowPrivateNetwork": form?.allowPrivateNetwork == "on",
            ],
        ]
        if let name = request.uri.queryParameters.get("log"), let channel = channels.first(where: { $0.name == name }) {
            let log = try await service.deliveries(named: channel.name, limit: 50)
            values["log"] = Self.deliveryLog(name: channel.name, log, context)
        }
        values.merge(extra) { _, new in new }
        let overviews = try await dependencies.overviews()
        var frame = frame(title: context.text(.alertsTitle), overviews: overviews, context: context)
        frame.breadcrumb = [.init(label: context.text(.alertsTitle))]
        frame.notice =
            notice
            ?? (request.uri.queryParameters.get("notice") == "channel_deleted"
                ? context.text(.noticeChannelDeleted) : nil)
        frame.problem = problem
        return renderer.page("alerts", frame: frame, context: context, request: request, values: values, status: status)
    }

    @Sendable func createAlertChannel(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(AlertChannelForm.self, request, context)
        guard let service = dependencies.alertChannels else {
            return notFound(ServerError(.notFound), request, context)
        }
        do {
            guard let kind = AlertChannelKind(rawValue: form.kind) else {
                throw AlertError(
                    .kindInvalid,
                    parameters: [
                        "kind": String(form.kind.prefix(40)),
                        "kinds": AlertChannelKind.allCases.map(\.rawValue).joined(separator: ", "),
                    ]
                )
            }
            let recipients = (form.to ?? "").split { $0 == "," || $0 == " " || $0 == "\n" }.map(String.init)
            let (channel, secret) = try await service.add(
                name: form.name,
                kind: kind,
                url: form.url,
                locale: MessageLocale(form.language),
                from: form.from.flatMap { $0.isEmpty ? nil : $0 },
                to: recipients,
                password: form.password.flatMap { $0.isEmpty ? nil : $0 },
                allowsPrivateNetwork: form.allowPrivateNetwork == "on"
            )
            await dependencies.audit(context, "alert_channel.create", channel.name)
            return try await alertsPage(
                request,
                context: context,
                values: secret.map { ["created": ["name": channel.name, "secret": $0]] } ?? [:],
                notice: context.text(.noticeChannelAdded, ["name": .string(channel.name)]),
                status: .created
            )
        } catch let error as AlertError {
            var kept = form
            kept.password = nil  // never echoed back
            return try await alertsPage(
                request,
                context: context,
                values: [:],
                form: kept,
                problem: describe(error, context),
                status: .unprocessableContent
            )
        }
    }

    @Sendable func testAlertChannel(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        guard let service = dependencies.alertChannels, let test = dependencies.testWebhook else {
            return notFound(ServerError(.notFound), request, context)
        }
        do {
            let channel = try await service.channel(named: try context.pathParameter("channel"))
            let (status, error) = try await test(channel)
            if let error {
                return try await alertsPage(
                    request,
                    context: context,
                    values: [:],
                    problem: context.text(.channelTestFailed, ["name": .string(channel.name)]) + " "
                        + describe(error, context)
                )
            }
            return try await alertsPage(
                request,
                context: context,
                values: [:],
                notice: context.text(.channelTestSent, ["name": .string(channel.name), "status": .int(status ?? 250)])
            )
        } catch let error as AlertError {
            return notFound(error, request, context)
        }
    }

    @Sendable func deleteAlertChannel(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        guard let service = dependencies.alertChannels else {
            return notFound(ServerError(.notFound), request, context)
        }
        let name = try context.pathParameter("channel")
        do {
            try await service.delete(named: name)
        } catch let error as AlertError {
            return notFound(error, request, context)
        }
        await dependencies.audit(context, "alert_channel.delete", name)
        return Response.redirect(to: "/alerts?notice=channel_deleted", type: .normal)
    }
}
