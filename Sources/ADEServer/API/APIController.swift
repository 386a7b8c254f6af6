import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird
import HummingbirdAuth

/// `/api/v1`: tokens, devices, sync runs and alerts, for automation. Every route needs an API token or a console
/// session; changes need a `write` token, or the session's anti-forgery token in `X-CSRF-Token`.
struct APIController {
    let dependencies: ServerDependencies
    /// `.p7m` uploads per principal.
    let uploads: AttemptLimiter

    /// The largest page of devices.
    static let maximumPageSize = 1000

    /// What a page of the token list depends on besides the store and the time.
    struct TokenPage: Hashable, Sendable {
        var after: String?
        var limit: Int
        var locale: MessageLocale
        var syncing: Set<Int64>
    }

    /// Token list pages as sent, until the store changes or for a second (a page carries days left and states that
    /// follow the clock). Automation that polls the list, and dashboards, are then answered without a read.
    let tokenPages = StampedCache<TokenPage, ByteBuffer>(capacity: 32, lifetime: 1)

    func addRoutes(to group: RouterGroup<ADERequestContext>) {
        group.add(middleware: APIAccessMiddleware())
        group.get("tokens", use: listTokens)
        group.get("tokens/:name", use: showToken)
        group.get("tokens/:name/runs", use: listRuns)
        group.get("tokens/:name/transitions", use: listTransitions)
        group.post("tokens/:name/sync", use: syncNow)
        group.get("tokens/:name/devices/:serial", use: showDevice)
        group.get("devices", use: listDevices)
        group.get("alerts", use: alerts)
        addLifecycleRoutes(to: group)
        addProfileRoutes(to: group)
        addWebhookRoutes(to: group)
    }

    // MARK: - Tokens

    @Sendable func listTokens(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let limit = try request.integer("limit", default: 100, range: 1...Self.maximumPageSize)
            let page = TokenPage(
                after: request.uri.queryParameters.get("after").map { String($0) },
                limit: limit,
                locale: context.locale,
                syncing: dependencies.scheduler?.syncing ?? []
            )
            let now = dependencies.timeSource.now()
            let body = try await tokenPages.value(for: page, stamp: dependencies.store.changeStamp(), now: now) {
                [dependencies] in
                // One more than asked tells whether another page follows.
                let overviews = try await TokenOverview.page(
                    after: page.after,
                    limit: page.limit + 1,
                    store: dependencies.store,
                    now: now,
                    policy: dependencies.healthPolicy
                )
                let shown = overviews.prefix(page.limit)
                return APIModels.TokenList(
                    tokens: shown.map {
                        APIModels.Token(
                            $0,
                            syncing: page.syncing.contains($0.token.id),
                            context: context,
                            detailed: false
                        )
                    },
                    nextAfter: overviews.count > page.limit ? shown.last?.token.name : nil
                )
                .json.byteBuffer
            }
            return APIModels.jsonResponse(body)
        }
    }

    @Sendable func showToken(_ request: Request, context: ADERequestContext) async throws -> APIModels.Token {
        try await api {
            let token = try await token(context)
            let overview = try await dependencies.overview(of: token)
            return APIModels.Token(
                overview,
                syncing: dependencies.scheduler?.syncing.contains(token.id) ?? false,
                context: context
            )
        }
    }

    @Sendable func listRuns(_ request: Request, context: ADERequestContext) async throws -> APIModels.RunList {
        try await api {
            let token = try await token(context)
            let limit = try request.integer("limit", default: 50, range: 1...2000)
            let runs = try await dependencies.store.runs(tokenID: token.id, limit: limit)
            return APIModels.RunList(token: token.name, runs: runs.map(APIModels.Run.init))
        }
    }

    @Sendable func listTransitions(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.TransitionList
    {
        try await api {
            let token = try await token(context)
            let limit = try request.integer("limit", default: 50, range: 1...1000)
            let transitions = try await dependencies.store.transitions(tokenID: token.id, limit: limit)
            return APIModels.TransitionList(token: token.name, transitions: transitions)
        }
    }

    @Sendable func syncNow(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            guard let scheduler = dependencies.scheduler else {
                throw APIError(.conflict, ServerError(.syncUnavailable))
            }
            switch try await scheduler.syncNow(tokenID: token.id) {
            case .started:
                return try APIModels.SyncAccepted(token: token.name, status: "started")
                    .response(from: request, context: context)
                    .withStatus(.accepted)
            case .tooSoon(let next):
                let seconds = max(1, Int(next.timeIntervalSince(dependencies.timeSource.now()).rounded(.up)))
                throw APIError(
                    .tooManyRequests,
                    ServerError(.syncTooSoon, parameters: ["seconds": String(seconds)]),
                    headers: [.retryAfter: String(seconds)]
                )
            }
        }
    }

    // MARK: - Devices

    @Sendable func listDevices(_ request: Request, context: ADERequestContext) async throws -> APIModels.DeviceList {
        try await api {
            guard let name = request.uri.queryParameters.get("token") else {
                throw APIError(
                    .badRequest,
                    ServerError(.missingParameter, parameters: ["name": "token"])
                )
            }
            let limit = try request.integer("limit", default: 100, range: 1...Self.maximumPageSize)
            let query = try Self.deviceQuery(request)
            let after = request.uri.queryParameters.get("after")
            // One more than asked tells whether another page follows; the token is found in the same read.
            guard
                let (token, page) = try await dependencies.store.devices(
                    tokenNamed: name,
                    matching: query,
                    after: after,
                    limit: limit + 1
                )
            else {
                throw APIError(.notFound, ServerError(.tokenNotFound, parameters: ["name": name]))
            }
            let shown = page.prefix(limit)
            return APIModels.DeviceList(
                devices: shown,
                token: token.name,
                nextAfter: page.count > limit ? shown.last?.device.serialNumber : nil
            )
        }
    }

    @Sendable func showDevice(_ request: Request, context: ADERequestContext) async throws -> APIModels.Device {
        try await api {
            let token = try await token(context)
            let serial = try context.pathParameter("serial")
            guard let device = try await dependencies.store.device(tokenID: token.id, serial: serial) else {
                throw APIError(
                    .notFound,
                    ServerError(.deviceNotFound, parameters: ["serial": serial, "name": token.name])
                )
            }
            return APIModels.Device(device, token: token.name)
        }
    }

    /// The device list's filters: `serial` (a prefix), `profile_status`, `presence` (`present`, `removed`, `all`;
    /// `include_removed=true` is `all`).
    static func deviceQuery(_ request: Request) throws -> DeviceQuery {
        var presence: DeviceQuery.Presence = try request.boolean("include_removed", default: false) ? .all : .present
        if let text = request.uri.queryParameters.get("presence") {
            guard let value = DeviceQuery.Presence(rawValue: text) else {
                throw APIError(
                    .badRequest,
                    ServerError(
                        .invalidParameter,
                        parameters: [
                            "name": "presence",
                            "allowed": DeviceQuery.Presence.allCases.map(\.rawValue).joined(separator: ", "),
                        ]
                    )
                )
            }
            presence = value
        }
        let status = request.uri.queryParameters.get("profile_status").flatMap { $0.isEmpty ? nil : $0 }
        return DeviceQuery(
            serialPrefix: request.uri.queryParameters.get("serial"),
            profileStatus: status.map(ProfileStatus.init(rawValue:)),
            presence: presence
        )
    }

    // MARK: - Alerts

    @Sendable func alerts(_ request: Request, context: ADERequestContext) async throws -> APIModels.Alerts {
        try await api {
            let overviews = try await dependencies.overviews()
            let alerting = overviews.filter { $0.health.severity != .ok }
                .sorted { ($0.health.severity, $1.token.name) > ($1.health.severity, $0.token.name) }
            let errors = alerting.filter { $0.health.severity == .error }.count
            return APIModels.Alerts(
                errorCount: errors,
                warningCount: alerting.count - errors,
                summary: errors == 0 ? nil : context.text(.bannerSummary, ["count": .int(errors)]),
                tokens: alerting.map { overview in
                    let token = APIModels.Token(overview, syncing: false, context: context)
                    return APIModels.Alert(
                        name: token.name,
                        state: token.state,
                        severity: token.severity,
                        title: token.title,
                        cause: token.cause,
                        impact: token.impact ?? "",
                        steps: token.steps ?? [],
                        remedy: token.remedy,
                        breaks: token.breaks,
                        clearsByItself: token.clearsByItself,
                        since: token.stateSince
                    )
                }
            )
        }
    }

    // MARK: - Helpers

    func token(_ context: ADERequestContext) async throws -> EnrollmentToken {
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            throw APIError(.notFound, ServerError(.tokenNotFound, parameters: ["name": name]))
        }
        return token
    }

    /// Runs a handler, answering its errors as ``APIError``s.
    func api<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw APIError.from(error)
        }
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}

extension Request {
    /// An integer query parameter within a range, or its default when absent.
    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError(
                .badRequest,
                ServerError(
                    .invalidParameter,
                    parameters: ["name": name, "allowed": "\(range.lowerBound)–\(range.upperBound)"]
                )
            )
        }
        return number
    }

    /// A boolean query parameter (`true`/`false`, `1`/`0`), or its default when absent.
    func boolean(_ name: String, default value: Bool) throws -> Bool {
        guard let text = uri.queryParameters.get(name) else { return value }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            throw APIError(
                .badRequest,
                ServerError(.invalidParameter, parameters: ["name": name, "allowed": "true, false"])
            )
        }
    }
}
