import ADESupport
import Foundation

extension DEPClient {
    /// The most serials Apple takes in one assign, remove, details or disown call.
    public static let maximumSerialsPerCall = 1000

    /// `GET /account`: the MDM server, its organisation and the page limits.
    public func account(_ server: DEPServer) async throws -> AccountDetail {
        try await call("GET", "/account", server: server)
    }

    /// `POST /server/devices`: one page of every device assigned to the server (the first call has no cursor).
    public func fetchDevices(_ server: DEPServer, cursor: String? = nil, limit: Int? = nil) async throws -> DevicePage {
        try await call(
            "POST",
            "/server/devices",
            body: JSONCoding.encode(DevicePageRequest(cursor: cursor, limit: limit)),
            server: server
        )
    }

    /// `POST /devices/sync`: one page of changes since a cursor.
    public func syncDevices(_ server: DEPServer, cursor: String, limit: Int? = nil) async throws -> DevicePage {
        try await call(
            "POST",
            "/devices/sync",
            body: JSONCoding.encode(DevicePageRequest(cursor: cursor, limit: limit)),
            server: server
        )
    }

    /// `POST /devices`: details of up to 1000 serials.
    public func deviceDetails(_ server: DEPServer, serials: [String]) async throws -> DeviceDetailsResponse {
        try Self.checkSerials(serials, endpoint: "/devices")
        return try await call(
            "POST",
            "/devices",
            body: JSONCoding.encode(DeviceListRequest(devices: serials)),
            server: server
        )
    }

    /// `POST /devices/disown`: releases devices from the organisation **permanently**.
    public func disownDevices(_ server: DEPServer, serials: [String]) async throws -> DeviceStatusResponse {
        try Self.checkSerials(serials, endpoint: "/devices/disown")
        return try await call(
            "POST",
            "/devices/disown",
            body: JSONCoding.encode(DeviceListRequest(devices: serials)),
            server: server
        )
    }

    /// `POST /device/activationlock`.
    public func activationLock(_ server: DEPServer, _ request: ActivationLockRequest) async throws
        -> ActivationLockResponse
    {
        try await call("POST", "/device/activationlock", body: JSONCoding.encode(request), server: server)
    }

    /// `GET /device/replacementDetails?device=…` (protocol version 10); `device_not_found` when the device is not
    /// a replacement.
    public func replacementDetails(_ server: DEPServer, serial: String) async throws -> ReplacementDetails {
        try await call("GET", "/device/replacementDetails", query: [("device", serial)], server: server)
    }

    /// `POST /profile`: defines a profile (and assigns it to `profile.devices`, if any).
    public func defineProfile(_ server: DEPServer, _ profile: Profile) async throws -> ProfileAssignmentResponse {
        try await call("POST", "/profile", body: JSONCoding.encode(profile), server: server)
    }

    /// `GET /profile?profile_uuid=…`.
    public func profile(_ server: DEPServer, uuid: String) async throws -> Profile {
        try await call("GET", "/profile", query: [("profile_uuid", uuid)], server: server)
    }

    /// `POST /profile/devices`: assigns a profile to up to 1000 serials; read each device's result, and
    /// `retryAfterSeconds` for `THROTTLED` ones.
    public func assignProfile(_ server: DEPServer, uuid: String, serials: [String]) async throws
        -> ProfileAssignmentResponse
    {
        try Self.checkSerials(serials, endpoint: "/profile/devices")
        return try await call(
            "POST",
            "/profile/devices",
            body: JSONCoding.encode(ProfileDevicesRequest(profileUUID: uuid, devices: serials)),
            server: server
        )
    }

    /// `DELETE /profile/devices`: removes the profile of up to 1000 serials.
    public func removeProfile(_ server: DEPServer, serials: [String], uuid: String? = nil) async throws
        -> DeviceStatusResponse
    {
        try Self.checkSerials(serials, endpoint: "/profile/devices")
        return try await call(
            "DELETE",
            "/profile/devices",
            body: JSONCoding.encode(ProfileDevicesRequest(profileUUID: uuid, devices: serials)),
            server: server
        )
    }

    /// `GET /os-beta-enrollment/tokens`.
    public func betaEnrollmentTokens(_ server: DEPServer) async throws -> BetaEnrollmentTokensResponse {
        try await call("GET", "/os-beta-enrollment/tokens", server: server)
    }

    /// `POST /account-driven-enrollment/profile`: sets the MDM service-discovery URL (HTTPS).
    public func setAccountDrivenEnrollmentURL(_ server: DEPServer, url: String) async throws {
        _ = try await send(
            "POST",
            "/account-driven-enrollment/profile",
            body: JSONCoding.encode(AccountDrivenEnrollmentProfile(mdmServiceDiscoveryURL: url)),
            server: server
        )
    }

    /// `GET /account-driven-enrollment/profile`.
    public func accountDrivenEnrollmentURL(_ server: DEPServer) async throws -> AccountDrivenEnrollmentProfile {
        try await call("GET", "/account-driven-enrollment/profile", server: server)
    }

    /// `DELETE /account-driven-enrollment/profile`.
    public func deleteAccountDrivenEnrollmentURL(_ server: DEPServer) async throws {
        _ = try await send("DELETE", "/account-driven-enrollment/profile", server: server)
    }

    private static func checkSerials(_ serials: [String], endpoint: String) throws {
        guard !serials.isEmpty, serials.count <= maximumSerialsPerCall else {
            throw DEPError(
                .invalidRequest,
                endpoint: endpoint,
                parameters: ["count": String(serials.count), "maximum": String(maximumSerialsPerCall)],
                reason: "between 1 and \(maximumSerialsPerCall) serials per call"
            )
        }
    }
}
