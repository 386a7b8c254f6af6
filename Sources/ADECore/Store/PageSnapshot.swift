/// The stored devices of a page's serials, read outside the page's write transaction (while the previous page is
/// still being written), so that the write does not look them up itself.
///
/// Under the token's lease only its syncer writes its devices, so the one thing a snapshot can miss is the page in
/// flight when it was read: ``recheck`` names the serials of this page that page also held, and the write reads them
/// again inside its transaction.
public struct PageSnapshot: Sendable, Hashable {
    /// The stored devices found, by serial (absent: not stored).
    public var devices: [String: StoredDevice]
    /// Serials to read again inside the write transaction.
    public var recheck: Set<String>

    public init(devices: [String: StoredDevice], recheck: Set<String> = []) {
        self.devices = devices
        self.recheck = recheck
    }
}
