public import ADESupport
public import Foundation

/// Enrollment profiles, default profiles and device assignment records, per token.
public protocol ProfileStore: Sendable {
    /// Adds a profile to a token, not yet defined at Apple.
    /// - Throws: `duplicate_name` when the token has a profile of that name; `not_found` when the token is gone.
    func createProfile(tokenID: Int64, name: String, document: ProfileDocument, at date: Date) async throws
        -> StoredProfile
    /// A token's profiles, by name.
    func profiles(tokenID: Int64) async throws -> [StoredProfile]
    func profile(id: Int64) async throws -> StoredProfile?
    func profile(tokenID: Int64, named name: String) async throws -> StoredProfile?
    /// Replaces a profile's row.
    /// - Throws: `not_found`; `duplicate_name`.
    func updateProfile(_ profile: StoredProfile) async throws
    /// Deletes a profile, and any default that named it.
    /// - Throws: `not_found`.
    func deleteProfile(id: Int64) async throws

    /// Makes a profile the token's default for a device family (nil: for every device), or clears it (`profileID`
    /// nil).
    /// - Throws: `not_found` when the profile is not one of the token's.
    func setDefaultProfile(tokenID: Int64, family: DeviceFamily?, profileID: Int64?) async throws
    /// The token's defaults as profile ids, by family (`nil` key: every device).
    func defaultProfileIDs(tokenID: Int64) async throws -> [DeviceFamily?: Int64]

    /// The assignment records of these serials of a token, by serial; serials without one are absent.
    func assignments(tokenID: Int64, serialNumbers: [String]) async throws -> [String: DeviceAssignment]
    /// Writes records, replacing those of the same token and serial, with an `assignments.results` event of the
    /// records written. A record belongs to a stored device: records of serials the token has no device for are
    /// not kept (the caller has Apple's answer, and the device's next sync shows its profile).
    func saveAssignments(_ records: [DeviceAssignment]) async throws
    /// A token's records in one status (nil: all), by serial after `serial` (keyset paging).
    func assignments(tokenID: Int64, status: DeviceAssignment.Status?, after serial: String?, limit: Int)
        async throws -> [DeviceAssignment]
    /// A token's records that wait for another attempt (``DeviceAssignment/retriedStatuses``) due at `now`, soonest
    /// first.
    func dueAssignments(tokenID: Int64, at now: Date, limit: Int) async throws -> [DeviceAssignment]
    /// How many of a token's records are in each status; statuses without any are absent.
    func assignmentCounts(tokenID: Int64) async throws -> [DeviceAssignment.Status: Int]
    /// How many of a token's devices `ade` assigned each profile UUID (records in status `assigned`), in one read.
    func assignedCounts(tokenID: Int64) async throws -> [String: Int]
    /// A token's records that name a profile UUID, in these statuses (in no particular order).
    func assignments(tokenID: Int64, profileUUID: String, statuses: [DeviceAssignment.Status]) async throws
        -> [DeviceAssignment]
}

extension ProfileStore {
    /// The token's default profiles as Apple UUIDs; defaults whose profile is not defined at Apple yet are left out.
    public func defaultProfiles(tokenID: Int64) async throws -> DefaultProfiles {
        var defaults = DefaultProfiles()
        for (family, id) in try await defaultProfileIDs(tokenID: tokenID) {
            guard let uuid = try await profile(id: id)?.profileUUID else { continue }
            if let family {
                defaults.byFamily[family] = uuid
            } else {
                defaults.all = uuid
            }
        }
        return defaults
    }
}
