import ADESupport
import Foundation
import Logging
import ServerToken

extension DEPClient {
    /// Sends a request to an endpoint, authenticated, with retries, and returns Apple's 2xx answer.
    ///
    /// The typed endpoint methods use this; it is public for tools that print Apple's raw JSON.
    /// - Parameters:
    ///   - method: `GET`, `POST`, `PUT` or `DELETE`.
    ///   - path: The endpoint path, e.g. `/server/devices`.
    ///   - query: Query parameters.
    ///   - body: The JSON body, if any.
    ///   - server: The server token to call as.
    /// - Throws: ``DEPError``.
    public func send(
        _ method: String,
        _ path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        server: DEPServer
    ) async throws -> DEPHTTPResponse {
        let start = timeSource.now()
        var attempt = 1
        while true {
            do {
                return try await sendAuthenticated(method, path, query: query, body: body, server: server)
            } catch let error as DEPError where error.code.isTransient {
                let elapsed = Duration.interval(timeSource.now().timeIntervalSince(start))
                guard
                    let delay = configuration.retry.delay(
                        afterAttempt: attempt,
                        retryAfter: error.retryAfter,
                        elapsed: elapsed,
                        random: random()
                    )
                else {
                    logger.notice(
                        "Apple call failed; not retrying",
                        metadata: [
                            "dep.server": "\(server.name)", "dep.endpoint": "\(path)", "dep.error": "\(error.code)",
                            "dep.attempts": "\(attempt)",
                        ]
                    )
                    throw error
                }
                logger.info(
                    "Apple call failed; retrying",
                    metadata: [
                        "dep.server": "\(server.name)", "dep.endpoint": "\(path)", "dep.error": "\(error.code)",
                        "dep.attempt": "\(attempt)", "dep.delay": "\(delay)",
                    ]
                )
                try await timeSource.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// Sends a request and decodes Apple's JSON answer.
    func call<Response: Decodable>(
        _ method: String,
        _ path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        server: DEPServer,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let response = try await send(method, path, query: query, body: body, server: server)
        do {
            // Fetch and sync pages, the sync's hot path, take the direct parser first.
            if Response.self == DevicePage.self, let page = try DEPJSON.decodePage(response.body) as? Response {
                return page
            }
            return try JSONCoding.decoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw DEPError(
                .invalidResponse,
                endpoint: path,
                status: response.status,
                appleBody: response.text,
                reason: "answer does not decode as \(Response.self): \(error)"
            )
        }
    }

    /// One attempt: find or make a session, send, re-authenticate once on 401 / 403 `FORBIDDEN`.
    private func sendAuthenticated(
        _ method: String,
        _ path: String,
        query: [(String, String)],
        body: [UInt8]?,
        server: DEPServer
    ) async throws -> DEPHTTPResponse {
        var reauthenticated = false
        while true {
            let session = try await sessions.session(for: server) { try await authenticate(server) }
            var request = makeRequest(method, path, query: query, server: server)
            request.body = body
            request.headers.append(("X-ADM-Auth-Session", session))
            let response = try await transport.send(request, timeout: configuration.requestTimeout)
            if let rotated = response.header("X-ADM-Auth-Session"), !rotated.isEmpty, rotated != session {
                await sessions.adopt(rotated, for: server)
            }
            if (200..<300).contains(response.status) {
                return response
            }
            let error = DEPError.classify(response, endpoint: path, isSession: false, now: timeSource.now())
            if !reauthenticated, error.code == .unauthorized || error.code == .forbidden {
                logger.debug(
                    "Session refused; authenticating again",
                    metadata: ["dep.server": "\(server.name)", "dep.endpoint": "\(path)", "dep.error": "\(error.code)"]
                )
                await sessions.invalidate(session, for: server)
                reauthenticated = true
                continue
            }
            throw refine(error, response: response, server: server)
        }
    }

    /// `GET /session`: a new session token, signed with OAuth 1.0a.
    private func authenticate(_ server: DEPServer) async throws -> String {
        var request = makeRequest("GET", "/session", query: [], server: server)
        let credentials = server.credentials
        request.headers.append(
            (
                "Authorization",
                OAuth1Signer.authorizationHeader(
                    method: "GET",
                    url: request.url,
                    consumerKey: credentials.consumerKey,
                    consumerSecret: credentials.consumerSecret,
                    token: credentials.accessToken,
                    tokenSecret: credentials.accessSecret,
                    timestamp: Int(timeSource.now().timeIntervalSince1970),
                    nonce: Self.nonce()
                )
            )
        )
        let response = try await transport.send(request, timeout: configuration.requestTimeout)
        guard (200..<300).contains(response.status) else {
            let error = DEPError.classify(response, endpoint: "/session", isSession: true, now: timeSource.now())
            throw refine(error, response: response, server: server)
        }
        guard let session = try? JSONCoding.decoder().decode(SessionResponse.self, from: Data(response.body)),
            !session.authSessionToken.isEmpty
        else {
            throw DEPError(
                .invalidResponse,
                endpoint: "/session",
                status: response.status,
                reason: "no auth_session_token in the answer"
            )
        }
        logger.debug("Authenticated", metadata: ["dep.server": "\(server.name)"])
        return session.authSessionToken
    }

    /// Before a refused token is blamed on the token: a local clock far from Apple's is `clock_skew`; a token past
    /// its `access_token_expiry` is `token_expired`.
    private func refine(_ error: DEPError, response: DEPHTTPResponse, server: DEPServer) -> DEPError {
        let refusals: [DEPError.Code] = [
            .oauthUnauthorized, .tokenRejected, .signatureInvalid, .unauthorized, .forbidden,
        ]
        guard refusals.contains(error.code) else { return error }
        let now = timeSource.now()
        if let appleDate = response.header("Date").flatMap(RetryAfter.parseHTTPDate) {
            let skew = now.timeIntervalSince(appleDate)
            if abs(skew) > configuration.clockSkewTolerance.timeInterval {
                return error.with(code: .clockSkew, parameters: ["skewSeconds": String(Int(skew.rounded()))])
            }
        }
        if server.credentials.accessTokenExpiry <= now {
            return error.with(
                code: .tokenExpired,
                parameters: ["expiry": Timestamp.format(server.credentials.accessTokenExpiry)]
            )
        }
        return error
    }

    private func makeRequest(_ method: String, _ path: String, query: [(String, String)], server: DEPServer)
        -> DEPHTTPRequest
    {
        var components = URLComponents(url: server.baseURL, resolvingAgainstBaseURL: false)!
        let prefix = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = prefix + path
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        return DEPHTTPRequest(
            method: method,
            url: components.url!,
            headers: [
                ("User-Agent", configuration.userAgent),
                ("X-Server-Protocol-Version", String(configuration.protocolVersion)),
                ("Content-Type", "application/json;charset=UTF8"),
                ("Accept", "application/json"),
            ]
        )
    }

    private static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
