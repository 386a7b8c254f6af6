/// `GET /account`: the MDM server and organisation a token belongs to, and the endpoints' page limits.
public struct AccountDetail: Codable, Hashable, Sendable {
    /// An endpoint the account may call, with its methods and page limits.
    public struct URLEntry: Codable, Hashable, Sendable {
        /// Page limits of a paging endpoint.
        public struct Limit: Codable, Hashable, Sendable {
            public var `default`: Int?
            public var maximum: Int?
            public init(default: Int? = nil, maximum: Int? = nil) {
                self.default = `default`
                self.maximum = maximum
            }
        }

        public var uri: String
        public var httpMethod: [String]?
        public var limit: Limit?

        public init(uri: String, httpMethod: [String]? = nil, limit: Limit? = nil) {
            self.uri = uri
            self.httpMethod = httpMethod
            self.limit = limit
        }

        enum CodingKeys: String, CodingKey {
            case uri, limit
            case httpMethod = "http_method"
        }
    }

    public var serverName: String?
    public var serverUUID: String?
    public var adminID: String?
    public var facilitatorID: String?
    public var orgName: String?
    public var orgEmail: String?
    public var orgPhone: String?
    public var orgAddress: String?
    public var orgID: String?
    public var orgIDHash: String?
    /// `edu`, `org` or `tvprovider`.
    public var orgType: String?
    /// `v1` or `v2`.
    public var orgVersion: String?
    public var urls: [URLEntry]?

    public init(
        serverName: String? = nil,
        serverUUID: String? = nil,
        adminID: String? = nil,
        facilitatorID: String? = nil,
        orgName: String? = nil,
        orgEmail: String? = nil,
        orgPhone: String? = nil,
        orgAddress: String? = nil,
        orgID: String? = nil,
        orgIDHash: String? = nil,
        orgType: String? = nil,
        orgVersion: String? = nil,
        urls: [URLEntry]? = nil
    ) {
        self.serverName = serverName
        self.serverUUID = serverUUID
        self.adminID = adminID
        self.facilitatorID = facilitatorID
        self.orgName = orgName
        self.orgEmail = orgEmail
        self.orgPhone = orgPhone
        self.orgAddress = orgAddress
        self.orgID = orgID
        self.orgIDHash = orgIDHash
        self.orgType = orgType
        self.orgVersion = orgVersion
        self.urls = urls
    }

    /// The page limits `urls` advertises for an endpoint path, if any.
    public func limit(for path: String) -> URLEntry.Limit? {
        urls?.first { $0.uri == path }?.limit
    }

    enum CodingKeys: String, CodingKey {
        case urls
        case serverName = "server_name"
        case serverUUID = "server_uuid"
        case adminID = "admin_id"
        case facilitatorID = "facilitator_id"
        case orgName = "org_name"
        case orgEmail = "org_email"
        case orgPhone = "org_phone"
        case orgAddress = "org_address"
        case orgID = "org_id"
        case orgIDHash = "org_id_hash"
        case orgType = "org_type"
        case orgVersion = "org_version"
    }
}
