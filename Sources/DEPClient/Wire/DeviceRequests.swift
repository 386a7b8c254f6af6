/// `{devices: [serial]}`: the body of device details and disown.
public struct DeviceListRequest: Codable, Hashable, Sendable {
    public var devices: [String]
    public init(devices: [String]) { self.devices = devices }
}

/// `POST /devices`: details of each requested serial, keyed by serial.
public struct DeviceDetailsResponse: Codable, Hashable, Sendable {
    public var devices: [String: Device]
    public init(devices: [String: Device]) { self.devices = devices }
}

/// A per-device result map: disown, define, assign and remove answer `{devices: {serial: status}}`.
public struct DeviceStatusResponse: Codable, Hashable, Sendable {
    public var devices: [String: DeviceResult]
    public init(devices: [String: DeviceResult]) { self.devices = devices }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        devices = try container.decodeIfPresent([String: DeviceResult].self, forKey: .devices) ?? [:]
    }
}
