public import ADESupport
public import Foundation

/// `GET /session`: the session token to send as `X-ADM-Auth-Session`.
public struct SessionResponse: Codable, Hashable, Sendable {
    public var authSessionToken: String

    public init(authSessionToken: String) { self.authSessionToken = authSessionToken }

    enum CodingKeys: String, CodingKey {
        case authSessionToken = "auth_session_token"
    }
}

/// `GET /os-beta-enrollment/tokens`.
public struct BetaEnrollmentTokensResponse: Codable, Hashable, Sendable {
    /// A token that enrolls devices in a beta program.
    public struct Token: Codable, Hashable, Sendable {
        public var title: String?
        public var token: String?
        public var os: OperatingSystem?
        public init(title: String?, token: String?, os: OperatingSystem?) {
            self.title = title
            self.token = token
            self.os = os
        }
    }

    public var betaEnrollmentTokens: [Token]?
    /// The older name of the same list.
    public var seedBuildTokens: [Token]?

    public init(betaEnrollmentTokens: [Token]? = nil, seedBuildTokens: [Token]? = nil) {
        self.betaEnrollmentTokens = betaEnrollmentTokens
        self.seedBuildTokens = seedBuildTokens
    }

    /// Every token, whichever name Apple used.
    public var tokens: [Token] { (betaEnrollmentTokens ?? []) + (seedBuildTokens ?? []) }
}

/// `POST /account-driven-enrollment/profile` and the answer to its `GET`.
public struct AccountDrivenEnrollmentProfile: Codable, Hashable, Sendable {
    public var mdmServiceDiscoveryURL: String?
    public var lastUpdatedTimestamp: Date?

    public init(mdmServiceDiscoveryURL: String?, lastUpdatedTimestamp: Date? = nil) {
        self.mdmServiceDiscoveryURL = mdmServiceDiscoveryURL
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case mdmServiceDiscoveryURL = "mdm_service_discovery_url"
        case lastUpdatedTimestamp = "last_updated_timestamp"
    }
}
