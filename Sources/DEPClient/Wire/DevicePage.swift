public import Foundation

/// One page of `POST /server/devices` (fetch) or `POST /devices/sync` (sync).
public struct DevicePage: Codable, Hashable, Sendable {
    /// The cursor to send for the next page (opaque, up to 1000 characters or more).
    public var cursor: String?
    public var devices: [Device]
    /// Apple's progress stamp; sometimes the zero time.
    public var fetchedUntil: Date?
    /// Whether another page follows at once.
    public var moreToFollow: Bool

    public init(cursor: String?, devices: [Device], fetchedUntil: Date?, moreToFollow: Bool) {
        self.cursor = cursor
        self.devices = devices
        self.fetchedUntil = fetchedUntil
        self.moreToFollow = moreToFollow
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cursor = try container.decodeIfPresent(String.self, forKey: .cursor)
        devices = try container.decodeIfPresent([Device].self, forKey: .devices) ?? []
        fetchedUntil = try container.decodeIfPresent(Date.self, forKey: .fetchedUntil)
        moreToFollow = try container.decodeIfPresent(Bool.self, forKey: .moreToFollow) ?? false
    }

    enum CodingKeys: String, CodingKey {
        case cursor, devices
        case fetchedUntil = "fetched_until"
        case moreToFollow = "more_to_follow"
    }
}

/// The body of fetch (`FetchDeviceRequest`, cursor optional) and sync (`SyncDeviceRequest`, cursor required).
public struct DevicePageRequest: Codable, Hashable, Sendable {
    public var cursor: String?
    public var limit: Int?

    public init(cursor: String? = nil, limit: Int? = nil) {
        self.cursor = cursor
        self.limit = limit
    }
}
