/// `profile_status` of a device.
public struct ProfileStatus: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// No profile assigned.
    public static let empty: Self = "empty"
    /// A profile is assigned; the device has not fetched it yet.
    public static let assigned: Self = "assigned"
    /// The device fetched its activation record (it ran Setup Assistant).
    public static let pushed: Self = "pushed"
    /// The profile was removed.
    public static let removed: Self = "removed"
}

/// `op_type` of a sync record.
public struct OperationType: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let added: Self = "added"
    public static let modified: Self = "modified"
    public static let deleted: Self = "deleted"
}

/// `device_family`.
public struct DeviceFamily: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let iPad: Self = "iPad"
    public static let iPhone: Self = "iPhone"
    public static let iPod: Self = "iPod"
    public static let mac: Self = "Mac"
    public static let appleTV: Self = "AppleTV"
    public static let vision: Self = "Vision"
}

/// `os`.
public struct OperatingSystem: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let iOS: Self = "iOS"
    public static let iPadOS: Self = "iPadOS"
    public static let macOS: Self = "OSX"
    public static let tvOS: Self = "tvOS"
    public static let visionOS: Self = "visionOS"
    public static let watchOS: Self = "watchOS"
    public static let homePodOS: Self = "homePodOS"
}
