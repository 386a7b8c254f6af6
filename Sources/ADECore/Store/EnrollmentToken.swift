public import Foundation

/// An enrollment program token as `ade` keeps it: one ABM/ASM "MDM server", its identity from Apple, where its
/// service lives, and what is known of it. Its secrets (credentials, private keys) are kept apart, sealed, in
/// ``SealedTokenSecrets``.
public struct EnrollmentToken: Sendable, Hashable, Identifiable, Codable {
    /// The store's identifier.
    public var id: Int64
    /// The admin's name for the token, unique (case-insensitive).
    public var name: String
    /// The device enrollment service's base URL (Apple's unless custom URLs are allowed).
    public var baseURL: URL
    public var createdAt: Date

    // From the token and Apple's `/account`.
    /// The token's `consumer_key`: identifies the MDM server entry; not secret.
    public var consumerKey: String?
    public var accessTokenExpiry: Date?
    public var issuedAt: Date?
    public var serverName: String?
    public var serverUUID: String?
    public var organisationName: String?
    public var adminAppleID: String?

    /// When a token was last uploaded (first upload or renewal) and accepted.
    public var uploadedAt: Date?
    /// When an uploaded renewal started waiting for Apple to confirm its server (nil when none waits).
    public var pendingSince: Date?
    /// A delta-sync interval for this token, overriding the default.
    public var syncIntervalSeconds: Int?
    /// The state its latest sync run recorded (``TokenTransition``), and since when; written only with a run.
    public var recordedState: TokenState?
    public var recordedStateSince: Date?

    public init(
        id: Int64,
        name: String,
        baseURL: URL,
        createdAt: Date,
        consumerKey: String? = nil,
        accessTokenExpiry: Date? = nil,
        issuedAt: Date? = nil,
        serverName: String? = nil,
        serverUUID: String? = nil,
        organisationName: String? = nil,
        adminAppleID: String? = nil,
        uploadedAt: Date? = nil,
        pendingSince: Date? = nil,
        syncIntervalSeconds: Int? = nil,
        recordedState: TokenState? = nil,
        recordedStateSince: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.baseURL = baseURL
        self.createdAt = createdAt
        self.consumerKey = consumerKey
        self.accessTokenExpiry = accessTokenExpiry
        self.issuedAt = issuedAt
        self.serverName = serverName
        self.serverUUID = serverUUID
        self.organisationName = organisationName
        self.adminAppleID = adminAppleID
        self.uploadedAt = uploadedAt
        self.pendingSince = pendingSince
        self.syncIntervalSeconds = syncIntervalSeconds
        self.recordedState = recordedState
        self.recordedStateSince = recordedStateSince
    }
}

/// A token's secrets, each sealed by ``SecretBox`` before it reaches a store: a store never sees a secret in clear,
/// and the database file alone reveals none.
public struct SealedTokenSecrets: Sendable, Hashable {
    /// The sealed JSON of the credentials in use.
    public var credentials: [UInt8]?
    /// The sealed JSON of a renewal waiting for Apple to confirm its server.
    public var pendingCredentials: [UInt8]?
    /// The sealed PEM of the current private key, and its certificate (public).
    public var currentKey: [UInt8]?
    public var currentCertificate: String?
    /// The sealed PEM of the staging private key, and its certificate (public).
    public var stagingKey: [UInt8]?
    public var stagingCertificate: String?

    public init(
        credentials: [UInt8]? = nil,
        pendingCredentials: [UInt8]? = nil,
        currentKey: [UInt8]? = nil,
        currentCertificate: String? = nil,
        stagingKey: [UInt8]? = nil,
        stagingCertificate: String? = nil
    ) {
        self.credentials = credentials
        self.pendingCredentials = pendingCredentials
        self.currentKey = currentKey
        self.currentCertificate = currentCertificate
        self.stagingKey = stagingKey
        self.stagingCertificate = stagingCertificate
    }

    /// Whether any secret is stored.
    public var isEmpty: Bool {
        credentials == nil && pendingCredentials == nil && currentKey == nil && stagingKey == nil
    }
}
