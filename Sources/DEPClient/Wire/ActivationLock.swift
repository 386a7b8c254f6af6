/// `POST /device/activationlock`.
public struct ActivationLockRequest: Codable, Hashable, Sendable {
    public var device: String
    /// The bypass code's escrow key (at most 64 characters).
    public var escrowKey: String?
    public var lostMessage: String?

    public init(device: String, escrowKey: String? = nil, lostMessage: String? = nil) {
        self.device = device
        self.escrowKey = escrowKey
        self.lostMessage = lostMessage
    }

    enum CodingKeys: String, CodingKey {
        case device
        case escrowKey = "escrow_key"
        case lostMessage = "lost_message"
    }
}

/// The answer to an activation lock request.
public struct ActivationLockResponse: Codable, Hashable, Sendable {
    public var serialNumber: String
    public var responseStatus: ActivationLockResult

    public init(serialNumber: String, responseStatus: ActivationLockResult) {
        self.serialNumber = serialNumber
        self.responseStatus = responseStatus
    }

    enum CodingKeys: String, CodingKey {
        case serialNumber = "serial_number"
        case responseStatus = "response_status"
    }
}

/// `GET /device/replacementDetails?device=…` (protocol version 10).
public struct ReplacementDetails: Codable, Hashable, Sendable {
    public var serialNumber: String
    public var originalDeviceSerialNumber: String?
    /// A date without time, e.g. `2025-01-15`.
    public var replacementDate: String?

    public init(serialNumber: String, originalDeviceSerialNumber: String?, replacementDate: String?) {
        self.serialNumber = serialNumber
        self.originalDeviceSerialNumber = originalDeviceSerialNumber
        self.replacementDate = replacementDate
    }

    enum CodingKeys: String, CodingKey {
        case serialNumber = "serial_number"
        case originalDeviceSerialNumber = "original_device_serial_number"
        case replacementDate = "replacement_date"
    }
}
