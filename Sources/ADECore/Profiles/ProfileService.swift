public import ADESupport
public import DEPClient
import Foundation
public import Logging

/// Enrollment profiles of a token: checked against Apple's rules before anything is sent, defined at Apple, edited
/// as new definitions that their devices move to, and chosen as the token's defaults. Every command, API route and
/// console page that changes a profile goes through it.
public struct ProfileService: Sendable {
    /// What an edit did.
    public struct Edit: Sendable, Hashable {
        public var profile: StoredProfile
        /// Devices moved to the new definition (assigned the old one by `ade`, not cooling down).
        public var moved: ProfileAssigner.Report
        /// Devices left on the old definition because they are cooling down; they get the new one on their retry.
        public var skipped: Int
    }

    let tokens: TokenService
    let assigner: ProfileAssigner
    let timeSource: any TimeSource
    let logger: Logger

    var store: any ProfileStore { assigner.store }
    var client: DEPClient { tokens.client }

    public init(tokens: TokenService, assigner: ProfileAssigner, timeSource: any TimeSource, logger: Logger) {
        self.tokens = tokens
        self.assigner = assigner
        self.timeSource = timeSource
        self.logger = logger
    }

    /// Checks a profile against Apple's rules.
    /// - Throws: the first ``ProfileError`` of ``Profile/problems()``, carrying the others.
    public static func check(_ profile: Profile) throws {
        let problems = profile.problems()
        guard var first = problems.first else { return }
        first.others = Array(problems.dropFirst())
        throw first
    }

    /// Adds a profile to a token and defines it at Apple.
    /// - Throws: ``ProfileError`` for a field Apple would refuse (nothing is sent) or refused, and `exists`;
    ///   ``StoreError`` `not_found` for the token; ``DEPError`` when Apple fails otherwise (nothing is stored).
    public func create(token tokenName: String, name: String, profile: Profile) async throws -> StoredProfile {
        try Self.check(profile)
        let token = try await tokens.token(named: tokenName)
        guard try await store.profile(tokenID: token.id, named: name) == nil else {
            throw ProfileError(.exists, parameters: ["token": token.name, "name": name])
        }
        let uuid = try await define(profile, token: token)
        let now = timeSource.now()
        var stored = try await store.createProfile(tokenID: token.id, name: name, profile: profile, at: now)
        stored.profileUUID = uuid
        stored.version = 1
        stored.definedAt = now
        try await store.updateProfile(stored)
        logger.notice("Change: profile defined", metadata: ["token": "\(token.name)", "profile": "\(name)"])
        return stored
    }

    /// A token's profiles, by name.
    public func list(token tokenName: String) async throws -> [StoredProfile] {
        try await store.profiles(tokenID: try await tokens.token(named: tokenName).id)
    }

    /// One profile of a token.
    /// - Throws: ``ProfileError`` `not_found`; ``StoreError`` `not_found` for the token.
    public func profile(token tokenName: String, named name: String) async throws -> StoredProfile {
        let token = try await tokens.token(named: tokenName)
        guard let profile = try await store.profile(tokenID: token.id, named: name) else {
            throw ProfileError(.notFound, parameters: ["token": token.name, "name": name])
        }
        return profile
    }

    /// How many devices an edit would move now: those `ade` assigned the profile's current definition.
    public func devicesUsing(_ profile: StoredProfile) async throws -> Int {
        guard let uuid = profile.profileUUID else { return 0 }
        return try await store.assignedCounts(tokenID: profile.tokenID)[uuid] ?? 0
    }

    /// Replaces a profile's fields: a new definition at Apple (Apple's profiles cannot change), then the devices
    /// `ade` assigned the old one move to it in batches of 1000, but those cooling down, which get it on their
    /// retry. Devices already set up see the change only after they are erased.
    /// - Throws: as ``create(token:name:profile:)``; nothing changes when Apple refuses the new definition.
    public func edit(token tokenName: String, name: String, profile fields: Profile) async throws -> Edit {
        try Self.check(fields)
        let token = try await tokens.token(named: tokenName)
        var stored = try await profile(token: tokenName, named: name)
        let uuid = try await define(fields, token: token)
        var using: [DeviceAssignment] = []
        if let old = stored.profileUUID {
            using = try await store.assignments(tokenID: token.id, profileUUID: old, statuses: Self.movingStatuses)
        }
        let now = timeSource.now()
        stored.profile = fields
        stored.profileUUID = uuid
        stored.version += 1
        stored.definedAt = now
        stored.updatedAt = now
        try await store.updateProfile(stored)
        let ready = using.filter { $0.allowsAutomaticAttempt(at: now) }.map(\.serialNumber)
        // Devices cooling down after a failed or throttled attempt keep their wait, now for the new definition,
        // which their retry assigns.
        let cooling = using.filter { !$0.allowsAutomaticAttempt(at: now) }.map { record in
            var record = record
            record.profileUUID = uuid
            return record
        }
        try await store.saveAssignments(cooling)
        let moved = try await assigner.assign(
            profileUUID: uuid,
            to: ready,
            token: token,
            server: try await tokens.server(for: token)
        )
        logger.notice(
            "Change: profile edited",
            metadata: [
                "token": "\(token.name)", "profile": "\(name)", "version": "\(stored.version)",
                "moved": "\(moved.devices)", "cooling_down": "\(cooling.count)",
            ]
        )
        return Edit(profile: stored, moved: moved, skipped: cooling.count)
    }

    /// Deletes a profile from `ade` (Apple keeps its definitions; devices keep their assignment) and any default
    /// that named it.
    public func delete(token tokenName: String, name: String) async throws {
        let stored = try await profile(token: tokenName, named: name)
        try await store.deleteProfile(id: stored.id)
        logger.notice("Change: profile deleted", metadata: ["token": "\(tokenName)", "profile": "\(name)"])
    }

    /// Makes a profile the token's default for a family (nil: every device), or clears that default (`name` nil).
    /// The token's synced devices that show no profile and that a default now covers are queued for the next run.
    public func setDefault(token tokenName: String, name: String?, family: DeviceFamily?) async throws {
        let token = try await tokens.token(named: tokenName)
        var profileID: Int64?
        if let name {
            let stored = try await profile(token: tokenName, named: name)
            guard stored.profileUUID != nil else { throw ProfileError(.notDefined, parameters: ["name": name]) }
            profileID = stored.id
        }
        try await store.setDefaultProfile(tokenID: token.id, family: family, profileID: profileID)
        // The devices already synced that the default now covers wait for the next run, which assigns them.
        try await assigner.queueCoveredDevices(token: token)
        logger.notice(
            "Change: default profile",
            metadata: [
                "token": "\(token.name)", "family": "\(family?.rawValue ?? "all")", "profile": "\(name ?? "none")",
            ]
        )
    }

    /// The token's defaults: profile names by family (nil: every device).
    public func defaults(token tokenName: String) async throws -> [DeviceFamily?: String] {
        let token = try await tokens.token(named: tokenName)
        let profiles = Dictionary(uniqueKeysWithValues: try await store.profiles(tokenID: token.id).map { ($0.id, $0) })
        return try await store.defaultProfileIDs(tokenID: token.id).compactMapValues { profiles[$0]?.name }
    }

    /// Assigns a profile to chosen devices on an admin's demand (clearing an exclusion).
    public func assign(token tokenName: String, name: String, serialNumbers: [String]) async throws
        -> ProfileAssigner.Report
    {
        let token = try await tokens.token(named: tokenName)
        let stored = try await profile(token: tokenName, named: name)
        guard let uuid = stored.profileUUID else { throw ProfileError(.notDefined, parameters: ["name": name]) }
        let report = try await assigner.assign(
            profileUUID: uuid,
            to: serialNumbers,
            token: token,
            server: try await tokens.server(for: token)
        )
        logger.notice(
            "Change: profile assigned",
            metadata: ["token": "\(token.name)", "profile": "\(name)", "devices": "\(serialNumbers.count)"]
        )
        return report
    }

    /// Removes the profile of chosen devices; the assigner leaves them alone until an admin assigns them again.
    public func removeProfile(token tokenName: String, serialNumbers: [String]) async throws -> [String: DeviceResult] {
        let token = try await tokens.token(named: tokenName)
        let results = try await assigner.removeProfile(
            from: serialNumbers,
            token: token,
            server: try await tokens.server(for: token)
        )
        logger.notice(
            "Change: profiles removed",
            metadata: ["token": "\(token.name)", "devices": "\(serialNumbers.count)"]
        )
        return results
    }

    /// Defines a profile at Apple; Apple's refusal of a field becomes the same ``ProfileError`` as a local check.
    private func define(_ profile: Profile, token: EnrollmentToken) async throws -> String {
        var definition = profile
        definition.devices = nil
        definition.profileUUID = nil
        do {
            let response = try await client.defineProfile(try await tokens.server(for: token), definition)
            guard let uuid = response.profileUUID, !uuid.isEmpty else {
                throw DEPError(.invalidResponse, endpoint: "/profile", reason: "no profile_uuid")
            }
            return uuid
        } catch let error as DEPError {
            throw ProfileError.answered(error) ?? error
        }
    }

    /// The records an edit moves to the new definition: assigned, and waiting for an attempt.
    static let movingStatuses: [DeviceAssignment.Status] = [.assigned, .pending, .failed, .throttled]

    /// The device families a default profile can be chosen for.
    public static let families: [DeviceFamily] = [.iPhone, .iPad, .mac, .appleTV, .vision]
}
