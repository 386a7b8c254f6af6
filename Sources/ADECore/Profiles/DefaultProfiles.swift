public import ADESupport
public import DEPClient

/// A token's default enrollment profiles: one for every device, and optionally one per device family.
public struct DefaultProfiles: Sendable, Hashable {
    /// The profile UUID every device receives when its family has none of its own.
    public var all: String?
    /// Profile UUIDs per device family (iPhone, iPad, Mac, Apple TV, Vision).
    public var byFamily: [DeviceFamily: String]

    public init(all: String? = nil, byFamily: [DeviceFamily: String] = [:]) {
        self.all = all
        self.byFamily = byFamily
    }

    /// The profile a device of `family` receives; nil when the token has no default for it.
    public func profileUUID(for family: DeviceFamily?) -> String? {
        family.flatMap { byFamily[$0] } ?? all
    }

    /// Every profile UUID that is a default.
    public var profileUUIDs: Set<String> { Set(byFamily.values).union(all.map { [$0] } ?? []) }

    /// Whether no device would receive anything.
    public var isEmpty: Bool { all == nil && byFamily.isEmpty }
}
