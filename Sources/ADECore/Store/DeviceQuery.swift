public import ADESupport

/// Which of a token's devices a list shows: the console's search and filters, the API's query parameters.
public struct DeviceQuery: Sendable, Hashable {
    /// Present devices, removed ones, or both.
    public enum Presence: String, Sendable, Hashable, CaseIterable {
        case present, removed, all
    }

    /// Serial numbers starting with this (upper-cased, as Apple writes them).
    public var serialPrefix: String?
    public var profileStatus: ProfileStatus?
    public var presence: Presence

    public init(serialPrefix: String? = nil, profileStatus: ProfileStatus? = nil, presence: Presence = .present) {
        self.serialPrefix = serialPrefix.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        self.profileStatus = profileStatus
        self.presence = presence
    }

    /// Whether a stored device is in the list.
    public func matches(_ stored: StoredDevice) -> Bool {
        switch presence {
        case .present: guard stored.removedAt == nil else { return false }
        case .removed: guard stored.removedAt != nil else { return false }
        case .all: break
        }
        if let serialPrefix, !stored.device.serialNumber.hasPrefix(serialPrefix) { return false }
        if let profileStatus, stored.device.profileStatus != profileStatus { return false }
        return true
    }
}
