import ADESupport
import DEPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

extension DEPSimulator {
    /// What an Apple endpoint answers, written outside the lock.
    enum AppleAnswer: Sendable {
        case page(SimulatorWorld.Page)
        case json([UInt8])
        case empty

        /// A wire value as JSON (the wire types always encode).
        static func encoding(_ value: some Encodable) -> AppleAnswer {
            .json(try! JSONCoding.encode(value))
        }
    }

    /// What an endpoint handler gets besides the world.
    struct AppleRequest: Sendable {
        var server: Int
        var method: HTTPRequest.Method
        var now: Date
        var body: [UInt8]
        var protocolVersion: Int
        var query: [String: String]

        func decode<T: Decodable>(_ type: T.Type) throws(AppleFailure) -> T {
            do {
                return try JSONCoding.decoder().decode(T.self, from: Data(body))
            } catch {
                throw AppleFailure(400, "MALFORMED_REQUEST_BODY")
            }
        }
    }

    typealias AppleHandler = @Sendable (inout SimulatorWorld, AppleRequest) throws(AppleFailure) -> AppleAnswer

    /// The endpoints of Apple's service, at Apple's paths. A path called with a method it does not take answers 405.
    func addAppleRoutes(to router: Router<BasicRequestContext>) {
        router.get("/session") { request, _ in await self.serveSession(request) }
        route(router, "/account", [.get]) { world, request in .encoding(world.account(server: request.server)) }
        route(router, "/server/devices", [.post]) { world, request throws(AppleFailure) in
            .page(
                try world.fetch(
                    server: request.server,
                    request: request.decode(DevicePageRequest.self),
                    now: request.now
                )
            )
        }
        route(router, "/devices/sync", [.post]) { world, request throws(AppleFailure) in
            .page(
                try world.sync(
                    server: request.server,
                    request: request.decode(DevicePageRequest.self),
                    now: request.now
                )
            )
        }
        route(router, "/devices", [.post]) { world, request throws(AppleFailure) in
            let serials = try request.decode(DeviceListRequest.self).devices
            return .encoding(
                DeviceDetailsResponse(devices: try world.details(server: request.server, serials: serials))
            )
        }
        route(router, "/devices/disown", [.post]) { world, request throws(AppleFailure) in
            let serials = try request.decode(DeviceListRequest.self).devices
            let results = try world.disown(server: request.server, serials: serials, now: request.now)
            return .encoding(DeviceStatusResponse(devices: results))
        }
        route(router, "/device/activationlock", [.post]) { world, request throws(AppleFailure) in
            let lock = try request.decode(ActivationLockRequest.self)
            return .encoding(world.activationLock(server: request.server, request: lock))
        }
        route(router, "/device/replacementDetails", [.get]) { world, request throws(AppleFailure) in
            guard let serial = request.query["device"], !serial.isEmpty else {
                throw AppleFailure(400, "DEVICE_ID_REQUIRED")
            }
            return .encoding(try world.replacementDetails(server: request.server, serial: serial))
        }
        route(router, "/profile", [.post, .get]) { world, request throws(AppleFailure) in
            if request.method == .get {
                return .encoding(try world.profile(server: request.server, uuid: request.query["profile_uuid"]))
            }
            let profile = try request.decode(Profile.self)
            let response = try world.defineProfile(
                server: request.server,
                profile: profile,
                protocolVersion: request.protocolVersion,
                now: request.now
            )
            return .encoding(response)
        }
        // depsim required PUT; Apple documents POST; both assign.
        route(router, "/profile/devices", [.post, .put, .delete]) { world, request throws(AppleFailure) in
            let body = try request.decode(ProfileDevicesRequest.self)
            if request.method == .delete {
                let results = try world.removeProfile(server: request.server, request: body, now: request.now)
                return .encoding(DeviceStatusResponse(devices: results))
            }
            let response = try world.assignProfile(
                server: request.server,
                request: body,
                protocolVersion: request.protocolVersion,
                now: request.now
            )
            return .encoding(response)
        }
        route(router, "/os-beta-enrollment/tokens", [.get]) { world, request throws(AppleFailure) in
            .encoding(try world.betaTokens(server: request.server))
        }
        route(router, "/account-driven-enrollment/profile", [.post, .get, .delete]) {
            world,
            request throws(AppleFailure) in
            switch request.method {
            case .get:
                return .encoding(try world.serviceDiscovery(server: request.server))
            case .delete:
                try world.deleteServiceDiscovery(server: request.server)
                return .empty
            default:
                let body = try request.decode(AccountDrivenEnrollmentProfile.self)
                try world.setServiceDiscovery(
                    server: request.server,
                    url: body.mdmServiceDiscoveryURL,
                    now: request.now
                )
                return .empty
            }
        }
    }

    /// Registers `path` for `methods`, and 405 for the other methods.
    private func route(
        _ router: Router<BasicRequestContext>,
        _ path: RouterPath,
        _ methods: [HTTPRequest.Method],
        _ handler: @escaping AppleHandler
    ) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            if methods.contains(method) {
                router.on(path, method: method) { request, _ in await self.serveApple(request, handler) }
            } else {
                router.on(path, method: method) { _, _ in Response(status: .methodNotAllowed) }
            }
        }
    }

    // MARK: - Serving

    /// `GET /session`.
    private func serveSession(_ request: Request) async -> Response {
        if let refusal = checkUserAgent(request) { return refusal }
        let authorization = request.headers[.authorization]
        let server = beginRequest(session: nil, authorization: authorization)
        defer { endRequest(server) }
        if let injected = await injectTransportFaults(server: server) { return injected }
        let url = requestURL(request)
        let now = clock.now()
        let result = world.withLock { world in
            Result { () throws(AppleFailure) -> String in
                try world.openSession(authorization: authorization, url: url, now: now, wallNow: Date())
            }
        }
        switch result {
        case .success(let session):
            return Answer.json(SessionResponse(authSessionToken: session))
        case .failure(let failure):
            logger.debug("Session refused", metadata: ["sim.code": "\(failure.code)"])
            return Answer.failure(failure, style: configuration.errorBodyStyle)
        }
    }

    /// Any other endpoint: `User-Agent`, transport faults, session, body, then the handler under the lock.
    private func serveApple(_ request: Request, _ handler: AppleHandler) async -> Response {
        if let refusal = checkUserAgent(request) { return refusal }
        let session = request.headers[.admAuthSession]
        let server = beginRequest(session: session, authorization: nil)
        defer { endRequest(server) }
        if let injected = await injectTransportFaults(server: server) { return injected }
        var body: [UInt8] = []
        if request.method != .get {
            guard var buffer = try? await request.body.collect(upTo: 4 << 20) else {
                return Answer.failure(AppleFailure(400, "MALFORMED_REQUEST_BODY"), style: configuration.errorBodyStyle)
            }
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            query[String(name)] = String(value).removingPercentEncoding ?? String(value)
        }
        let version = request.headers[.serverProtocolVersion].flatMap { Int($0) } ?? 1
        let now = clock.now()
        let result = world.withLock { world in
            Result { () throws(AppleFailure) -> (AppleAnswer, String?) in
                let (server, rotated) = try world.authorize(session: session, now: now)
                let answer = try handler(
                    &world,
                    AppleRequest(
                        server: server,
                        method: request.method,
                        now: now,
                        body: body,
                        protocolVersion: version,
                        query: query
                    )
                )
                return (answer, rotated)
            }
        }
        switch result {
        case .failure(let failure):
            return Answer.failure(failure, style: configuration.errorBodyStyle)
        case .success(let (answer, rotated)):
            var headers: HTTPFields = [:]
            if let rotated { headers[.admAuthSession] = rotated }
            switch answer {
            case .page(let page): return Answer.json(DeviceJSONWriter.page(page), headers: headers)
            case .json(let bytes): return Answer.json(bytes, headers: headers)
            case .empty: return Response(status: .ok, headers: headers)
            }
        }
    }

    /// Counts a request in flight for its server (``ServerInfo/overlappingRequests`` when another is); returns the
    /// server for ``endRequest(_:)``.
    private func beginRequest(session: String?, authorization: String?) -> Int? {
        world.withLock { world in
            guard let number = world.serverNumber(session: session, authorization: authorization) else { return nil }
            if world.servers[number].inFlight > 0 { world.servers[number].overlappingRequests += 1 }
            world.servers[number].inFlight += 1
            return number
        }
    }

    private func endRequest(_ number: Int?) {
        guard let number else { return }
        world.withLock { $0.servers[number].inFlight -= 1 }
    }

    /// Apple answers 400 without a `User-Agent`, and for the generic ones it has blocked.
    private func checkUserAgent(_ request: Request) -> Response? {
        guard let agent = request.headers[.userAgent], !agent.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Answer.failure(AppleFailure(400, "USER_AGENT_MISSING"), style: configuration.errorBodyStyle)
        }
        if agent.hasPrefix("Go-http-client") || agent.hasPrefix("nanodep-g-o-dep/0") {
            return Answer.failure(AppleFailure(400, "USER_AGENT_INVALID"), style: configuration.errorBodyStyle)
        }
        return nil
    }

    /// Latency, connection resets, 429 and 5xx for the server a request is for (``beginRequest(session:authorization:)``
    /// found it; nil for a request of no known server, which gets none).
    private func injectTransportFaults(server number: Int?) async -> Response? {
        guard let number else { return nil }
        let decision = world.withLock {
            world -> (latency: Int, reset: Bool, throttle: SimulatedFaults.Throttle?, serverError: SimulatedFaults?) in
            let faults = world.servers[number].faults
            let reset = faults.connectionResetRate > 0 && world.roll() < faults.connectionResetRate
            let throttle = faults.throttle.flatMap { world.roll() < $0.rate ? $0 : nil }
            let serverError = faults.serverErrorRate > 0 && world.roll() < faults.serverErrorRate ? faults : nil
            return (faults.latencyMilliseconds, reset, throttle, serverError)
        }
        if decision.latency > 0 {
            try? await Task.sleep(for: .milliseconds(decision.latency))
        }
        if decision.reset {
            // Promise a body, send part of it, then fail the write: the connection closes mid-answer.
            return Response(
                status: .ok,
                headers: [.contentType: "application/json;charset=UTF8"],
                body: ResponseBody(contentLength: 4096) { writer in
                    try await writer.write(ByteBuffer(string: "{\"devices\":["))
                    throw CancellationError()
                }
            )
        }
        if let throttle = decision.throttle {
            let retryAfter = throttle.retryAfterSeconds.map { seconds in
                throttle.retryAfterAsDate
                    ? RetryAfter.formatHTTPDate(Date().addingTimeInterval(TimeInterval(seconds))) : String(seconds)
            }
            return Answer.failure(AppleFailure(429, "TOO_MANY_REQUESTS", retryAfter: retryAfter), style: "plain")
        }
        if let faults = decision.serverError {
            let status = (500...599).contains(faults.serverErrorStatus) ? faults.serverErrorStatus : 503
            return Answer.failure(
                AppleFailure(
                    status,
                    status == 503 ? "Service Unavailable" : "Internal Server Error",
                    retryAfter: faults.serverErrorRetryAfterSeconds.map(String.init)
                ),
                style: "plain"
            )
        }
        return nil
    }

    /// The URL the client signed: scheme from `X-Forwarded-Proto` (or `http`), authority from the `Host` header.
    private func requestURL(_ request: Request) -> URL {
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? "http"
        let authority = request.head.authority ?? "localhost"
        return URL(string: "\(scheme)://\(authority)\(request.uri.path)")!
    }
}
