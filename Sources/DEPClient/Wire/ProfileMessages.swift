/// The answer to Define a Profile and Assign a Profile: the profile's UUID and a result per serial.
public struct ProfileAssignmentResponse: Codable, Hashable, Sendable {
    public var profileUUID: String?
    public var devices: [String: DeviceResult]
    /// Protocol version 10: how long to wait before retrying the `THROTTLED` devices.
    public var retryAfterSeconds: Int?

    public init(profileUUID: String?, devices: [String: DeviceResult], retryAfterSeconds: Int? = nil) {
        self.profileUUID = profileUUID
        self.devices = devices
        self.retryAfterSeconds = retryAfterSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        profileUUID = try container.decodeIfPresent(String.self, forKey: .profileUUID)
        devices = try container.decodeIfPresent([String: DeviceResult].self, forKey: .devices) ?? [:]
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
    }

    enum CodingKeys: String, CodingKey {
        case devices
        case profileUUID = "profile_uuid"
        case retryAfterSeconds = "retry_after_seconds"
    }
}

/// The body of Assign a Profile and Remove a Profile: `{profile_uuid, devices}`.
public struct ProfileDevicesRequest: Codable, Hashable, Sendable {
    public var profileUUID: String?
    public var devices: [String]

    public init(profileUUID: String?, devices: [String]) {
        self.profileUUID = profileUUID
        self.devices = devices
    }

    enum CodingKeys: String, CodingKey {
        case devices
        case profileUUID = "profile_uuid"
    }
}
