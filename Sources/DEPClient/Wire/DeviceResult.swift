public import ADESupport

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
