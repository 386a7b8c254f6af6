public import Foundation

/// An enrollment profile of a token as `ade` keeps it: Apple's fields, and the UUID of its latest definition at Apple.
///
/// Apple's profiles cannot be changed once defined: an edit defines a new one (a new UUID) and moves the devices of
/// the old one to it. `version` counts those definitions.
public struct StoredProfile: Sendable, Hashable {
    public var id: Int64
    public var tokenID: Int64
    /// `ade`'s name for the profile, unique within its token (case-insensitive).
    public var name: String
    /// Apple's fields (`profile_name`, `url`, …) as they will be, or were, defined.
    public var document: ProfileDocument
    /// The UUID of the latest definition at Apple; nil until defined.
    public var profileUUID: String?
    /// How many times the profile was defined at Apple (0: never).
    public var version: Int
    /// When the latest definition was made.
    public var definedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64,
        tokenID: Int64,
        name: String,
        document: ProfileDocument,
        profileUUID: String? = nil,
        version: Int = 0,
        definedAt: Date? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.tokenID = tokenID
        self.name = name
        self.document = document
        self.profileUUID = profileUUID
        self.version = version
        self.definedAt = definedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fields of an enrollment profile as the JSON object Apple's Define a Profile takes (`profile_name`, `url`, …):
/// what a store keeps of a profile, without reading it. `ADECore` reads and writes it as `DEPClient.Profile`
/// (`StoredProfile.profile`).
public struct ProfileDocument: Hashable, Sendable {
    /// The JSON text, keys sorted.
    public var json: String

    public init(json: String) {
        self.json = json
    }
}
