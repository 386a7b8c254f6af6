/// A string enumeration of Apple's that may gain values: known ones are constants, unknown ones still decode.
public protocol OpenStringEnum: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
where RawValue == String {
    init(rawValue: String)
}

extension OpenStringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

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

/// A per-device result of define, assign, remove and disown.
public struct DeviceResult: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let success: Self = "SUCCESS"
    /// The serial is not accessible to this MDM server (for example assigned to another one in ABM).
    public static let notAccessible: Self = "NOT_ACCESSIBLE"
    public static let failed: Self = "FAILED"
    /// Protocol version 9 and later: try again after `retry_after_seconds`.
    public static let throttled: Self = "THROTTLED"
    public static let notFound: Self = "NOT_FOUND"
}

/// `response_status` of an activation lock request.
public struct ActivationLockResult: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let success: Self = "SUCCESS"
    public static let notAccessible: Self = "NOT_ACCESSIBLE"
    public static let orgNotSupported: Self = "ORG_NOT_SUPPORTED"
    public static let deviceNotSupported: Self = "DEVICE_NOT_SUPPORTED"
    public static let deviceAlreadyLocked: Self = "DEVICE_ALREADY_LOCKED"
    public static let failed: Self = "FAILED"
}
