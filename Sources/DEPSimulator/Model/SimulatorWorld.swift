import Crypto
import DEPClient
import Foundation
import ServerToken

/// Everything the simulator knows, mutated under one lock by ``DEPSimulator``: organisations, MDM servers,
/// sessions and nonces. Functions take the simulated time (`now`) and, for OAuth timestamps, the system's time.
struct SimulatorWorld: Sendable {
    struct Session: Sendable {
        var server: Int
        var tokenGeneration: Int
        var lastUsed: Date
    }

    let configuration: SimulatorConfiguration
    var organisations: [SimulatedOrganisation] = []
    var servers: [SimulatedServer] = []
    var sessions: [String: Session] = [:]
    /// Sessions dropped by ``forgetSessions()``, by token, with their server: a restarted service no longer knows
    /// them, but the `unknownSessionForbidden` fault needs to know whose they were.
    var forgottenSessions: [String: Int] = [:]
    /// OAuth nonces seen, with the time they were seen (system time), pruned past the timestamp window.
    var nonces: [String: Date] = [:]
    var random: SeededRandom
    let cursorKey: SymmetricKey

    init(configuration: SimulatorConfiguration, now: Date) {
        self.configuration = configuration
        random = SeededRandom(seed: configuration.seed, 0xC0FFEE)
        var keyRandom = SeededRandom(seed: configuration.seed, 0xC0150F)
        cursorKey = SymmetricKey(data: (0..<4).flatMap { _ in withUnsafeBytes(of: keyRandom.next()) { Array($0) } })
        let organisation = addOrganisation(
            name: configuration.organisationName,
            type: configuration.organisationType,
            appleSeedForIT: configuration.appleSeedForIT
        )
        for server in configuration.servers {
            _ = addServer(
                name: server.name,
                organisation: organisation,
                devices: server.devices,
                churnPerDay: server.churnPerDay,
                faults: server.faults,
                now: now
            )
        }
    }

    // MARK: - Identity

    mutating func hex(_ bytes: Int, uppercase: Bool = false) -> String {
        var text = ""
        while text.count < bytes * 2 {
            text += String(format: uppercase ? "%016llX" : "%016llx", random.next())
        }
        return String(text.prefix(bytes * 2))
    }

    @discardableResult
    mutating func addOrganisation(name: String, type: String, appleSeedForIT: Bool) -> Int {
        let number = organisations.count
        let domain = name.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(40)
        organisations.append(
            SimulatedOrganisation(
                id: String(4_000_000 + number * 7919 + Int(configuration.seed % 1000)),
                name: name,
                type: type,
                email: "abm@\(domain.isEmpty ? "example" : String(domain)).example",
                adminAppleID: "admin@\(domain.isEmpty ? "example" : String(domain)).example",
                appleSeedForIT: appleSeedForIT
            )
        )
        return number
    }

    mutating func addServer(
        name: String,
        organisation: Int,
        devices: Int,
        churnPerDay: SimulatorConfiguration.Churn = .init(),
        faults: SimulatedFaults = SimulatedFaults(),
        now: Date
    ) -> Int {
        let number = servers.count
        let generator = DeviceGenerator(
            seed: configuration.seed,
            serverNumber: number,
            assignedBy: organisations[organisation].adminAppleID,
            epoch: now.addingTimeInterval(-400 * 86_400)
        )
        let consumerKey = "CK_" + hex(48)
        servers.append(
            SimulatedServer(
                number: number,
                organisation: organisation,
                uuid: hex(16, uppercase: true),
                name: name,
                generator: generator,
                deviceCount: max(0, devices),
                credentials: newCredentials(consumerKey: consumerKey, now: now),
                faults: faults,
                churnPerDay: churnPerDay,
                lastChurnAt: now
            )
        )
        return number
    }

    /// Fresh credentials in ABM's shape, issued now and valid for a year.
    mutating func newCredentials(consumerKey: String, now: Date) -> OAuthCredentials {
        let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
        let digits = String(format: "%010llu", random.next() % 10_000_000_000)
        return OAuthCredentials(
            consumerKey: consumerKey,
            consumerSecret: "CS_" + hex(20),
            accessToken: "AT_O\(digits)O\(hex(20))O\(milliseconds)",
            accessSecret: "AS_" + hex(20),
            accessTokenExpiry: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000) + 365 * 86_400)
        )
    }

    func serverNumber(uuid: String) -> Int? {
        servers.firstIndex { $0.uuid.caseInsensitiveCompare(uuid) == .orderedSame }
    }

    func serverNumber(consumerKey: String) -> Int? {
        servers.firstIndex { $0.credentials.consumerKey == consumerKey }
    }

    /// The server a request is for, from its session header or its OAuth header (for faults).
    func serverNumber(session: String?, authorization: String?) -> Int? {
        if let session, let known = sessions[session] { return known.server }
        if let authorization, let parameters = OAuth1Signer.parseAuthorizationHeader(authorization),
            let key = parameters["oauth_consumer_key"]
        {
            return serverNumber(consumerKey: key)
        }
        return nil
    }

    /// Whether a server's token is refused now, and why.
    func tokenRefusal(_ server: SimulatedServer, now: Date) -> Bool {
        server.revoked || server.faults.tokenRevoked || server.faults.tokenExpired
            || server.credentials.accessTokenExpiry <= now
    }

    // MARK: - Sessions

    /// `GET /session`: verifies the OAuth 1.0a header and opens a session.
    mutating func openSession(authorization: String?, url: URL, now: Date, wallNow: Date) throws(AppleFailure)
        -> String
    {
        guard let authorization, let parameters = OAuth1Signer.parseAuthorizationHeader(authorization) else {
            throw AppleFailure.oauth(400, "parameter_absent")
        }
        let required = [
            "oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_signature",
            "oauth_timestamp", "oauth_nonce",
        ]
        for name in required where parameters[name] == nil {
            throw AppleFailure.oauth(400, "parameter_absent&oauth_parameters_absent=\(name)")
        }
        guard parameters["oauth_signature_method"] == "HMAC-SHA1" else {
            throw AppleFailure.oauth(400, "signature_method_rejected")
        }
        guard let number = serverNumber(consumerKey: parameters["oauth_consumer_key"]!) else {
            throw AppleFailure.oauth(401, "consumer_key_unknown")
        }
        let server = servers[number]
        let token = parameters["oauth_token"]!
        if server.supersededAccessTokens.contains(token) || token != server.credentials.accessToken
            || tokenRefusal(server, now: now)
        {
            throw AppleFailure.oauth(401, "token_rejected")
        }
        let tolerance = TimeInterval(configuration.oauthTimestampToleranceSeconds)
        guard let timestamp = TimeInterval(parameters["oauth_timestamp"]!),
            abs(timestamp - wallNow.timeIntervalSince1970) <= tolerance
        else {
            throw AppleFailure.oauth(401, "timestamp_refused")
        }
        nonces = nonces.filter { wallNow.timeIntervalSince($0.value) <= 2 * tolerance }
        let nonceKey = "\(number):\(parameters["oauth_nonce"]!)"
        guard nonces[nonceKey] == nil else {
            throw AppleFailure.oauth(401, "nonce_used")
        }
        let oauthParameters = parameters.filter { $0.key.hasPrefix("oauth_") && $0.key != "oauth_signature" }
            .map { ($0.key, $0.value) }
        let base = OAuth1Signer.signatureBaseString(method: "GET", url: url, parameters: oauthParameters)
        let expected = OAuth1Signer.signature(
            baseString: base,
            consumerSecret: server.credentials.consumerSecret,
            tokenSecret: server.credentials.accessSecret
        )
        guard expected == parameters["oauth_signature"] else {
            throw AppleFailure.oauth(401, "signature_invalid")
        }
        nonces[nonceKey] = wallNow
        try checkAccess(number)
        if server.faults.accessDenied { throw AppleFailure(403, "ACCESS_DENIED") }
        let session = "SIM" + hex(24, uppercase: true)
        sessions[session] = Session(server: number, tokenGeneration: server.tokenGeneration, lastUsed: now)
        servers[number].sessionsOpened += 1
        return session
    }

    /// The server of a valid session; a new session token when it is time to rotate.
    mutating func authorize(session: String?, now: Date) throws(AppleFailure) -> (server: Int, rotated: String?) {
        guard let session, var known = sessions[session],
            now.timeIntervalSince(known.lastUsed) <= TimeInterval(configuration.sessionLifetimeSeconds)
        else {
            if let session, sessions[session] == nil, let server = forgottenSessions[session],
                servers[server].faults.unknownSessionForbidden
            {
                throw AppleFailure(403, "FORBIDDEN")
            }
            throw AppleFailure(401, "UNAUTHORIZED")
        }
        let number = known.server
        guard known.tokenGeneration == servers[number].tokenGeneration, !tokenRefusal(servers[number], now: now)
        else {
            sessions[session] = nil
            throw AppleFailure(401, "UNAUTHORIZED")
        }
        try checkAccess(number)
        known.lastUsed = now
        sessions[session] = known
        servers[number].answers += 1
        let every = configuration.rotateSessionEvery
        if every > 0, servers[number].answers % every == 0 {
            let rotated = "SIM" + hex(24, uppercase: true)
            sessions[rotated] = known
            return (number, rotated)
        }
        return (number, nil)
    }

    /// Terms and `FORBIDDEN`, which block every call.
    private func checkAccess(_ number: Int) throws(AppleFailure) {
        let server = servers[number]
        if server.faults.forbidden { throw AppleFailure(403, "FORBIDDEN") }
        if server.faults.termsNotAccepted || !organisations[server.organisation].termsAccepted {
            throw AppleFailure(403, "T_C_NOT_SIGNED")
        }
    }

    /// Forgets every session, as a restarted service does.
    mutating func forgetSessions() {
        for (token, session) in sessions { forgottenSessions[token] = session.server }
        sessions.removeAll()
    }

    /// The next value in `0..<1` for a fault decision.
    mutating func roll() -> Double { random.nextUnit() }
}
