public import ADESupport
public import DEPClient
public import Foundation

/// A profile as lists show it — the CLI's `--format json` and `/api/v1` alike: its definition, the families it is
/// the default for, and how many devices `ade` assigned its current definition.
public struct ProfileSummary: Sendable, Hashable, Encodable {
    public var token: String
    public var name: String
    public var version: Int
    public var profileUUID: String?
    public var definedAt: Date?
    /// `all` for every device, else device families.
    public var defaultFor: [String]
    public var devices: Int
    /// Apple's keys.
    public var profile: Profile

    enum CodingKeys: String, CodingKey {
        case token, name, version, devices, profile
        case profileUUID = "profile_uuid"
        case definedAt = "defined_at"
        case defaultFor = "default_for"
    }
}

extension ProfileService {
    /// Summaries of profiles of a token: its defaults, and its assigned devices counted by profile, are read once for
    /// all of them.
    public func summaries(_ profiles: [StoredProfile], token: String) async throws -> [ProfileSummary] {
        guard let tokenID = profiles.first?.tokenID else { return [] }
        let defaults = try await self.defaults(token: token)
        let assigned = try await store.assignedCounts(tokenID: tokenID)
        return profiles.map { profile in
            ProfileSummary(
                token: token,
                name: profile.name,
                version: profile.version,
                profileUUID: profile.profileUUID,
                definedAt: profile.definedAt,
                defaultFor: defaults.filter { $0.value == profile.name }.map { $0.key?.rawValue ?? "all" }.sorted(),
                devices: profile.profileUUID.flatMap { assigned[$0] } ?? 0,
                profile: profile.profile
            )
        }
    }

    /// The token's defaults by family name (`all` for every device).
    public func defaultNames(token: String) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await defaults(token: token).map { ($0.key?.rawValue ?? "all", $0.value) })
    }

    /// A device family as people type it (`iPhone`, `ipad`, `Mac`, `AppleTV`, `Vision`); `all` (when allowed) is nil.
    /// - Throws: ``ProfileError`` `family_invalid`.
    public static func family(_ text: String?, allowingAll: Bool = false) throws -> DeviceFamily? {
        guard let text else { return nil }
        if allowingAll, text.lowercased() == "all" { return nil }
        guard let family = families.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw ProfileError(.familyInvalid, parameters: ["value": text])
        }
        return family
    }
}
