import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging

/// The web console: server-rendered pages that work without JavaScript. The token list is the home page, under
/// Intune's breadcrumb; every page carries the error banner while a token is in an error state.
struct ConsoleController {
    let dependencies: ServerDependencies
    let renderer: ConsoleRenderer
    let access: AccessService
    let cookie: SessionCookie
    let logins: AttemptLimiter
    /// `.p7m` uploads per principal, shared with the API.
    let uploads: AttemptLimiter
    let setup: SetupLink
    let signIn: SignInGuard

    func addRoutes(to router: RouterGroup<ADERequestContext>) {
        router.get("static/style.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: renderer.stylesheet)
            )
        }
        router.get("login", use: loginPage)
        router.post("login", use: login)
        router.get("setup", use: setupPage)
        router.post("setup", use: createFirstAdmin)
        router.get("language", use: chooseLanguage)
        let pages = router.group().add(middleware: ConsoleAccessMiddleware())
        pages.post("logout", use: logout)
        pages.get("", use: tokens)
        pages.get("tokens/:name", use: token)
        pages.post("tokens/:name/sync", use: syncNow)
        pages.get("devices", use: devices)
        pages.get("tokens/:name/devices/:serial", use: device)
        pages.post("tokens/:name/devices/:serial/refresh", use: refreshDevice)
        addProfileRoutes(to: pages)
        addWebhookRoutes(to: pages)
        addAlertRoutes(to: pages)
        addAuditRoutes(to: pages)
        addLifecycleRoutes(to: pages)
    }

    // MARK: - Sign-in

    struct LoginForm: Decodable {
        var name: String
        var password: String
        var next: String?
        var csrf: String?
    }

    /// The sign-in page with a fresh anti-forgery token.
    func loginForm(
        _ request: Request,
        context: ADERequestContext,
        next: String?,
        name: String? = nil,
        problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let (cookie, field) = signIn.issue()
        var values: [String: Any] = ["next": Self.localPath(next) ?? "/", "signin": field]
        if let name { values["name"] = name }
        var response = renderer.page(
            "login",
            frame: .init(title: context.text(.loginTitle), problem: problem),
            context: context,
            request: request,
            values: values,
            status: status
        )
        response.setCookie(cookie)
        return response
    }

    @Sendable func loginPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        if try await setup.isOpen(), try await dependencies.store.users().isEmpty {
            return renderer.page(
                "error",
                frame: .init(title: context.text(.setupNeededTitle)),
                context: context,
                request: request,
                values: [
                    "heading": context.text(.setupNeededTitle), "message": context.text(.setupNeededMessage),
                    "remedy": "",
                ]
            )
        }
        return loginForm(request, context: context, next: request.uri.queryParameters.get("next"))
    }

    @Sendable func login(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(LoginForm.self, request, context)
        let now = dependencies.timeSource.now()
        let key = "\(form.name.lowercased())|\(context.peer)"
        func again(_ problem: String, status: HTTPResponse.Status) -> Response {
            loginForm(request, context: context, next: form.next, name: form.name, problem: problem, status: status)
        }
        // A form this server did not just hand out (posted from another site, or a stale page): nothing is tried.
        guard signIn.accepts(form.csrf, from: request) else {
            context.logger.notice("Sign-in form without its anti-forgery token", metadata: ["peer": "\(context.peer)"])
            return again(describe(AccessError(.csrfRejected), context), status: .forbidden)
        }
        if let seconds = try await logins.retryAfter(key, now: now) {
            var response = again(
                describe(AccessError(.tooManyAttempts, parameters: ["seconds": String(seconds)]), context),
                status: .tooManyRequests
            )
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        guard let user = try await access.authenticate(name: form.name, password: form.password) else {
            try await logins.record(key, now: now)
            context.logger.notice(
                "Sign-in refused",
                metadata: ["user": "\(form.name.loggable())", "peer": "\(context.peer)"]
            )
            return again(describe(AccessError(.invalidCredentials), context), status: .unauthorized)
        }
        try await logins.reset(key)
        var response = Response.redirect(to: Self.localPath(form.next) ?? "/", type: .normal)
        response.setCookie(try await cookie.start(for: user, store: dependencies.store, now: now))
        context.logger.info("Signed in", metadata: ["user": "\(user.name)"])
        return response
    }

    @Sendable func logout(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        if case .user(_, let session) = context.identity {
            try await dependencies.store.deleteSession(idHash: session.idHash)
        }
        var response = Response.redirect(to: "/login", type: .normal)
        response.setCookie(cookie.cleared())
        return response
    }

    // MARK: - First admin

    struct SetupForm: Decodable {
        var token: String
        var name: String
        var password: String
        var confirmation: String
    }

    @Sendable func setupPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        guard try await setup.accepts(request.uri.queryParameters.get("token")),
            try await dependencies.store.users().isEmpty
        else {
            throw AccessError(.setupClosed)
        }
        return renderer.page(
            "setup",
            frame: .init(title: context.text(.setupTitle)),
            context: context,
            request: request,
            values: ["token": request.uri.queryParameters.get("token") ?? ""]
        )
    }

    @Sendable func createFirstAdmin(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(SetupForm.self, request, context)
        // The link is spent before anything else, so that requests racing with it create one administrator.
        guard try await setup.take(form.token) else { throw AccessError(.setupClosed) }
        let user: ConsoleUser
        do {
            guard try await dependencies.store.users().isEmpty else { throw AccessError(.setupClosed) }
            guard form.password == form.confirmation else { throw AccessError(.passwordsDiffer) }
            user = try await access.addUser(name: form.name, password: form.password)
        } catch {
            // A user already exists: the link stays spent. Otherwise nobody was created and the link works again.
            let closed = (error as? AccessError)?.code == .setupClosed
            if !closed { try await setup.restore(form.token, now: dependencies.timeSource.now()) }
            guard !closed, let error = error as? AccessError else { throw error }
            return renderer.page(
                "setup",
                frame: .init(title: context.text(.setupTitle), problem: describe(error, context)),
                context: context,
                request: request,
                values: ["token": form.token, "name": form.name],
                status: .badRequest
            )
        }
        context.logger.notice("First administrator created", metadata: ["user": "\(user.name)"])
        var setupContext = context
        setupContext.identity = nil
        await dependencies.audit(setupContext, "user.create", user.name, after: ["via": "setup link"])
        var response = Response.redirect(to: "/", type: .normal)
        response.setCookie(
            try await cookie.start(for: user, store: dependencies.store, now: dependencies.timeSource.now())
        )
        return response
    }

    // MARK: - Language

    @Sendable func chooseLanguage(_ request: Request, context: ADERequestContext) async throws -> Response {
        let tag = request.uri.queryParameters.get("lang") ?? "en"
        let language = MessageCatalogue.bundled.resolve(MessageLocale(tag))
        var response = Response.redirect(
            to: Self.localPath(request.uri.queryParameters.get("back")) ?? "/",
            type: .normal
        )
        response.setCookie(
            Cookie(
                name: LocaleMiddleware.cookieName,
                value: language,
                maxAge: 365 * 86_400,
                path: "/",
                secure: cookie.secure,
                httpOnly: true,
                sameSite: .lax
            )
        )
        return response
    }

    // MARK: - Tokens

    @Sendable func tokens(_ request: Request, context: ADERequestContext) async throws -> Response {
        let overviews = try await dependencies.overviews()
        let rows: [[String: Any]] = overviews.map { overview in row(overview, context: context) }
        var frame = frame(title: context.text(.tokensTitle), overviews: overviews, context: context)
        frame.notice = Self.notice(request, context)
        let now = dependencies.timeSource.now()
        let nodes: [[String: Any]] = try await dependencies.store.nodes(now: now).map { node in
            [
                "id": node.id, "address": node.address ?? "-", "version": node.version,
                "heartbeat": context.text(
                    .nodesAgo,
                    ["seconds": .int(node.secondsSinceHeartbeat(at: now))]
                ),
                "silent": !node.isLive(at: now), "tokens": node.tokensHeld,
            ]
        }
        return renderer.page(
            "tokens",
            frame: frame,
            context: context,
            request: request,
            values: ["tokens": rows, "hasTokens": !rows.isEmpty, "nodes": nodes, "hasNodes": !nodes.isEmpty],
            status: .ok
        )
    }

    @Sendable func token(_ request: Request, context: ADERequestContext) async throws -> Response {
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            return notFound(ServerError(.tokenNotFound, parameters: ["name": name]), request, context)
        }
        let overviews = try await dependencies.overviews()
        let overview = try await dependencies.overview(of: token)
        var values = row(overview, context: context)
        values["serverUUID"] = token.serverUUID ?? "—"
        let text = overview.health.text(tokenName: token.name, locale: context.locale)
        values["hasRemedy"] = !text.steps.isEmpty
        values["impact"] = text.impact
        values["steps"] = text.steps
        values["breaks"] = text.breaks
        values["hasBreaks"] = !text.breaks.isEmpty
        values["hasImpact"] = overview.health.severity != .ok
        values["clearsByItself"] = text.clearsByItself && overview.health.severity != .ok
        let runs = try await dependencies.store.runs(tokenID: token.id, limit: 20)
        values["runs"] = runs.map { run -> [String: Any] in
            [
                "started": Self.dateTime(run.startedAt, context),
                "kind": context.text(run.kind == .full ? .runKindFull : .runKindDelta),
                "outcome": context.text(Self.label(of: run.outcome)),
                "added": run.added, "modified": run.modified, "removed": run.removed,
                "error": run.errorCode.map {
                    MessageCatalogue.bundled.runError(
                        code: $0,
                        parameters: run.errorParameters,
                        tokenName: token.name,
                        locale: context.locale
                    )
                } ?? "",
            ]
        }
        values["hasRuns"] = !runs.isEmpty
        // How the token's state changed, newest first, with the run's error that caused each change.
        let transitions = try await dependencies.store.transitions(tokenID: token.id, limit: 20)
        values["transitions"] = transitions.map { transition -> [String: Any] in
            [
                "at": Self.dateTime(transition.at, context),
                "from": transition.from.map { context.text($0.titleKey) } ?? "—",
                "to": context.text(transition.to.titleKey), "severity": transition.severity.rawValue,
                "error": transition.errorCode.map {
                    MessageCatalogue.bundled.runError(code: $0, tokenName: token.name, locale: context.locale)
                } ?? "—",
            ]
        }
        values["hasTransitions"] = !transitions.isEmpty
        // Where the devices' profile assignments stand, each count linked to its devices.
        let counts = try await dependencies.store.assignmentCounts(tokenID: token.id)
        values["assignmentCounts"] = DeviceAssignment.Status.allCases.compactMap { status -> [String: Any]? in
            guard let count = counts[status] else { return nil }
            return ["status": status.rawValue, "count": count, "label": context.text(status.labelKey)]
        }
        values["uploadAction"] = token.uploadedAt == nil ? "upload" : "renew"
        values["uploadLabel"] = context.text(token.uploadedAt == nil ? .actionUpload : .actionRenew)
        var frame = frame(title: token.name, overviews: overviews, context: context)
        frame.breadcrumb[frame.breadcrumb.count - 1].href = "/"
        frame.breadcrumb.append(.init(label: token.name))
        frame.notice = Self.notice(request, context)
        return renderer.page("token", frame: frame, context: context, request: request, values: values)
    }

    @Sendable func syncNow(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            return notFound(ServerError(.tokenNotFound, parameters: ["name": name]), request, context)
        }
        let notice: String
        switch try await dependencies.scheduler?.syncNow(tokenID: token.id) {
        case .started: notice = "sync_started"
        case .tooSoon: notice = "sync_too_soon"
        case nil: notice = "sync_unavailable"
        }
        return Response.redirect(to: "/tokens/\(token.name.pathEscaped)?notice=\(notice)", type: .normal)
    }

    // MARK: - Devices

    @Sendable func devices(_ request: Request, context: ADERequestContext) async throws -> Response {
        let overviews = try await dependencies.overviews()
        let chosen = request.uri.queryParameters.get("token")
        let overview =
            overviews.first { $0.token.name.caseInsensitiveCompare(chosen ?? "") == .orderedSame }
            ?? overviews.first
        let query = (try? APIController.deviceQuery(request)) ?? DeviceQuery()
        let statuses: [ProfileStatus] = [.empty, .assigned, .pushed, .removed]
        var values: [String: Any] = [
            "tokenChoices": overviews.map { ["name": $0.token.name, "selected": $0.token.id == overview?.token.id] },
            "serial": query.serialPrefix ?? "",
            "statusChoices": statuses.map {
                ["value": $0.rawValue, "selected": query.profileStatus == $0, "label": Self.label(of: $0, context)]
            },
            "presenceChoices": DeviceQuery.Presence.allCases.map { presence in
                [
                    "value": presence.rawValue, "selected": query.presence == presence,
                    "label": context.text(Self.label(of: presence)),
                ]
            },
        ]
        if let overview {
            let token = overview.token
            let pageSize = 100
            let page = try await dependencies.store.devices(
                tokenID: token.id,
                matching: query,
                after: request.uri.queryParameters.get("after"),
                limit: pageSize + 1
            )
            let shown = page.prefix(pageSize)
            values["total"] = context.text(
                .devicesTotal,
                ["count": .int(overview.deviceCount), "name": .string(token.name)]
            )
            values["devices"] = shown.map { stored -> [String: Any] in
                [
                    "serial": stored.device.serialNumber, "model": stored.device.model ?? "",
                    "tokenPath": token.name.pathEscaped,
                    "os": stored.device.os?.rawValue ?? "",
                    "profileStatus": stored.device.profileStatus.map { Self.label(of: $0, context) } ?? "",
                    "assigned": stored.device.deviceAssignedDate.map { Self.date($0, context) } ?? "",
                    "removed": stored.removedAt != nil,
                ]
            }
            values["hasDevices"] = !shown.isEmpty
            if page.count > pageSize, let last = shown.last {
                var query = URLComponents()
                query.queryItems = [
                    URLQueryItem(name: "token", value: token.name),
                    URLQueryItem(name: "serial", value: request.uri.queryParameters.get("serial")),
                    URLQueryItem(name: "profile_status", value: request.uri.queryParameters.get("profile_status")),
                    URLQueryItem(name: "presence", value: request.uri.queryParameters.get("presence")),
                    URLQueryItem(name: "after", value: last.device.serialNumber),
                ].filter { $0.value?.isEmpty == false }
                values["next"] = "/devices?\(query.percentEncodedQuery ?? "")"
            }
        }
        var frame = frame(title: context.text(.devicesTitle), overviews: overviews, context: context)
        frame.breadcrumb = [.init(label: context.text(.crumbDevices), href: nil)]
        return renderer.page("devices", frame: frame, context: context, request: request, values: values)
    }

    @Sendable func device(_ request: Request, context: ADERequestContext) async throws -> Response {
        let name = try context.pathParameter("name")
        let serial = try context.pathParameter("serial")
        guard let token = try await dependencies.store.token(named: name),
            let stored = try await dependencies.store.device(tokenID: token.id, serial: serial)
        else {
            return notFound(
                ServerError(.deviceNotFound, parameters: ["serial": serial, "name": name]),
                request,
                context
            )
        }
        let device = stored.device
        func date(_ value: Date?) -> String { value.map { Self.dateTime($0, context) } ?? "—" }
        let fields: [(MessageKey, String)] = [
            (.deviceToken, token.name),
            (.deviceModel, device.model ?? "—"),
            (.deviceDescription, device.description ?? "—"),
            (.deviceColor, device.color ?? "—"),
            (.deviceFamily, device.deviceFamily?.rawValue ?? "—"),
            (.deviceOS, device.os?.rawValue ?? "—"),
            (.deviceAssetTag, device.assetTag ?? "—"),
            (.deviceProfileStatus, device.profileStatus.map { Self.label(of: $0, context) } ?? "—"),
            (.deviceProfileUUID, device.profileUUID ?? "—"),
            (.deviceProfileAssigned, date(device.profileAssignTime)),
            (.deviceProfilePushed, date(device.profilePushTime)),
            (.deviceAssignedDate, date(device.deviceAssignedDate)),
            (.deviceAssignedBy, device.deviceAssignedBy ?? "—"),
            (
                .deviceLastChange,
                [device.opType?.rawValue, device.opDate.map { Self.dateTime($0, context) }]
                    .compactMap { $0 }.joined(separator: ", ")
            ),
            (.deviceRemoved, date(stored.removedAt)),
            (.deviceUpdated, date(stored.updatedAt)),
        ]
        let overviews = try await dependencies.overviews()
        var frame = frame(title: device.serialNumber, overviews: overviews, context: context)
        switch request.uri.queryParameters.get("notice") {
        case "device_refreshed": frame.notice = context.text(.noticeDeviceRefreshed)
        case "device_not_accessible":
            frame.problem = context.text(
                .noticeDeviceNotAccessible,
                ["result": .string(request.uri.queryParameters.get("result") ?? "NOT_ACCESSIBLE")]
            )
        default: break
        }
        frame.breadcrumb = [
            .init(label: context.text(.crumbDevices), href: "/devices?token=\(token.name.queryEscaped)"),
            .init(label: device.serialNumber),
        ]
        return renderer.page(
            "device",
            frame: frame,
            context: context,
            request: request,
            values: [
                "serial": device.serialNumber, "path": token.name.pathEscaped,
                "fields": fields.map { ["label": context.text($0.0), "value": $0.1.isEmpty ? "—" : $0.1] },
            ]
        )
    }

    /// Asks Apple for the device's details now and stores them; the page says what Apple answered.
    @Sendable func refreshDevice(_ request: Request, context: ADERequestContext) async throws -> Response {
        _ = try await Self.decodeForm(CSRFForm.self, request, context)
        let name = try context.pathParameter("name")
        let serial = try context.pathParameter("serial")
        guard let token = try await dependencies.store.token(named: name),
            try await dependencies.store.device(tokenID: token.id, serial: serial) != nil
        else {
            return notFound(
                ServerError(.deviceNotFound, parameters: ["serial": serial, "name": name]),
                request,
                context
            )
        }
        let report = try await dependencies.deviceRefresher(context).refresh(token: token.name, serialNumbers: [serial])
        await dependencies.audit(context, "device.refresh", "\(token.name)/\(serial)")
        let result = report.results[serial] ?? .notFound
        let notice = result == .success ? "device_refreshed" : "device_not_accessible&result=\(result.rawValue)"
        return Response.redirect(
            to: "/tokens/\(token.name.pathEscaped)/devices/\(serial.pathEscaped)?notice=\(notice)",
            type: .normal
        )
    }

    // MARK: - Pieces

    static func label(of presence: DeviceQuery.Presence) -> MessageKey {
        switch presence {
        case .present: .devicesPresent
        case .removed: .devicesRemoved
        case .all: .devicesAll
        }
    }

    struct CSRFForm: Decodable {
        var csrf: String
    }

    /// Decodes a form and checks its anti-forgery token against the session's (when the form has one to check).
    static func decodeForm<Form: Decodable>(_ type: Form.Type, _ request: Request, _ context: ADERequestContext)
        async throws -> Form
    {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: body)
        if case .user(_, let session) = context.identity {
            let fields = try? URLEncodedFormDecoder().decode(CSRFForm.self, from: text)
            guard fields?.csrf == session.csrfToken else { throw AccessError(.csrfRejected) }
        }
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: text)
        } catch {
            throw ServerError(.formIncomplete)
        }
    }

    func frame(title: String, overviews: [TokenOverview], context: ADERequestContext) -> ConsoleRenderer.Frame {
        let failing = overviews.filter { $0.health.severity == .error }
        return ConsoleRenderer.Frame(
            title: title,
            breadcrumb: [
                .init(label: context.text(.crumbDevices)), .init(label: context.text(.crumbEnrollDevices)),
                .init(label: context.text(.crumbAppleEnrollment)), .init(label: context.text(.crumbTokens)),
            ],
            banner: failing.isEmpty
                ? nil
                : .init(
                    summary: context.text(.bannerSummary, ["count": .int(failing.count)]),
                    tokens: failing.map { overview in
                        // What the state stops, as its own page says: an expiring token stops nothing yet.
                        let breaks = overview.health.state.entry.breaks
                        return (
                            overview.token.name,
                            context.text(overview.health.state.titleKey),
                            breaks.isEmpty
                                ? context.text(.bannerNothingYet)
                                : breaks.map { context.text($0.nameKey) }.joined(separator: ", ")
                        )
                    }
                )
        )
    }

    func row(_ overview: TokenOverview, context: ADERequestContext) -> [String: Any] {
        let token = overview.token
        let health = overview.health
        let arguments = health.arguments(tokenName: token.name)
        let expiryLevel: String
        switch health.daysLeft {
        case .some(let days) where days < 0: expiryLevel = "past"
        case .some(let days) where days <= TokenHealth.expiringErrorDays: expiryLevel = "critical"
        case .some(let days) where days <= TokenHealth.expiringWarningDays: expiryLevel = "soon"
        default: expiryLevel = "ok"
        }
        return [
            "name": token.name, "path": token.name.pathEscaped,
            "organisation": token.organisationName ?? "—", "server": token.serverName ?? "—",
            "appleID": token.adminAppleID ?? "—",
            "expires": token.accessTokenExpiry.map { Self.date($0, context) } ?? "—",
            "daysLeft": health.daysLeft.map { days in
                days < 0
                    ? context.text(.expiredDaysAgo, ["count": .int(-days)])
                    : context.text(.daysLeft, ["count": .int(days)])
            } ?? "",
            "expiryLevel": expiryLevel,
            "severity": health.severity.rawValue,
            "state": context.text(health.state.titleKey, arguments),
            "cause": context.text(health.state.causeKey, arguments),
            "lastSync": overview.lastSuccessAt.map { Self.dateTime($0, context) } ?? context.text(.never),
            "lastError": overview.lastErrorCode.map {
                MessageCatalogue.bundled.runError(
                    code: $0,
                    parameters: overview.lastErrorParameters,
                    tokenName: token.name,
                    locale: context.locale
                )
            } ?? "",
            "devices": overview.deviceCount,
        ]
    }

    /// The sentence for a `notice` a redirect carries (`?notice=sync_started`); unknown values show nothing.
    static func notice(_ request: Request, _ context: ADERequestContext) -> String? {
        switch request.uri.queryParameters.get("notice") {
        case "sync_started": context.text(.noticeSyncStarted)
        case "sync_too_soon": context.text(.noticeSyncTooSoon)
        case "sync_unavailable": context.text(.noticeSyncUnavailable)
        case "stored": context.text(.noticeStored)
        case "stored_unconfirmed": context.text(.noticeStoredUnconfirmed)
        case "renewed": context.text(.noticeRenewed)
        case "pending": context.text(.noticePending)
        case "deleted": context.text(.noticeDeleted)
        default: nil
        }
    }

    func describe(_ error: some CataloguedError, _ context: ADERequestContext) -> String {
        let (message, remedy) = MessageCatalogue.bundled.describe(error, locale: context.locale)
        return remedy.isEmpty ? message : "\(message) \(remedy)"
    }

    func notFound(_ error: some CataloguedError, _ request: Request, _ context: ADERequestContext) -> Response {
        let (message, remedy) = MessageCatalogue.bundled.describe(error, locale: context.locale)
        return renderer.page(
            "error",
            frame: .init(title: context.text(.notFoundTitle)),
            context: context,
            request: request,
            values: ["heading": context.text(.notFoundTitle), "message": message, "remedy": remedy],
            status: .notFound
        )
    }

    /// A path on this server to go back to, never another site. Browsers drop tabs and line breaks from a
    /// `Location` and read a backslash as `/`, so `/<TAB>/evil.example` or `/<backslash>evil.example` would lead away:
    /// control and other hidden characters and backslashes are refused, spaces and other characters are percent-encoded, and what
    /// remains must parse as a path with no scheme, user or host.
    static func localPath(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/"),
            !value.unicodeScalars.contains(where: { $0.isHidden || $0 == "\\" }),
            let encoded = value.addingPercentEncoding(withAllowedCharacters: Self.locationCharacters),
            let components = URLComponents(string: encoded),
            components.scheme == nil, components.host == nil, components.user == nil,
            components.percentEncodedPath.hasPrefix("/"), !components.percentEncodedPath.hasPrefix("//")
        else { return nil }
        return encoded
    }

    /// What a `Location` path with its query may hold as it is: unreserved and reserved characters and `%`.
    private static let locationCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%"
    )

    /// Apple's profile status of a device in the reader's language (Apple's own value for one it adds later).
    static func label(of status: ProfileStatus, _ context: ADERequestContext) -> String {
        switch status {
        case .empty: context.text(.profileStatusEmpty)
        case .assigned: context.text(.profileStatusAssigned)
        case .pushed: context.text(.profileStatusPushed)
        case .removed: context.text(.profileStatusRemoved)
        default: status.rawValue
        }
    }

    /// How a run ended, in words.
    static func label(of outcome: SyncRun.Outcome) -> MessageKey {
        switch outcome {
        case .running: .runOutcomeRunning
        case .succeeded: .runOutcomeSucceeded
        case .failed: .runOutcomeFailed
        case .interrupted: .runOutcomeInterrupted
        }
    }

    static func date(_ date: Date, _ context: ADERequestContext) -> String {
        date.formatted(
            .dateTime.year().month(.abbreviated).day()
                .locale(Locale(identifier: MessageCatalogue.bundled.resolve(context.locale)))
        )
    }

    static func dateTime(_ date: Date, _ context: ADERequestContext) -> String {
        date.formatted(
            .dateTime.year().month(.abbreviated).day().hour().minute()
                .locale(Locale(identifier: MessageCatalogue.bundled.resolve(context.locale)))
        )
    }
}

extension String {
    /// The text escaped for a URL query value.
    var queryEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}
