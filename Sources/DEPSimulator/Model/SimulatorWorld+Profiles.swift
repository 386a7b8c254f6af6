import ADESupport
import DEPClient
import Foundation

extension SimulatorWorld {
    /// `POST /profile`: Apple's validation, a new UUID, and assignment of `devices` if given.
    mutating func defineProfile(server number: Int, profile: Profile, protocolVersion: Int, now: Date)
        throws(AppleFailure) -> ProfileAssignmentResponse
    {
        if let issue = profile.validationIssues().first {
            throw AppleFailure(400, issue.appleCode)
        }
        let uuid = hex(16, uppercase: true)
        var stored = profile
        stored.devices = nil
        stored.profileUUID = uuid
        servers[number].profiles[uuid] = stored
        var response = ProfileAssignmentResponse(profileUUID: uuid, devices: [:])
        if let devices = profile.devices, !devices.isEmpty {
            response = assign(server: number, uuid: uuid, serials: devices, protocolVersion: protocolVersion, now: now)
        }
        return response
    }

    /// `GET /profile`.
    func profile(server number: Int, uuid: String?) throws(AppleFailure) -> Profile {
        guard let uuid, !uuid.isEmpty else { throw AppleFailure(400, "PROFILE_UUID_REQUIRED") }
        guard let profile = servers[number].profiles[uuid.uppercased()] else {
            throw AppleFailure(404, "PROFILE_NOT_FOUND")
        }
        return profile
    }

    /// `POST`/`PUT /profile/devices`.
    mutating func assignProfile(server number: Int, request: ProfileDevicesRequest, protocolVersion: Int, now: Date)
        throws(AppleFailure) -> ProfileAssignmentResponse
    {
        guard let uuid = request.profileUUID, !uuid.isEmpty else { throw AppleFailure(400, "PROFILE_UUID_REQUIRED") }
        guard servers[number].profiles[uuid.uppercased()] != nil else { throw AppleFailure(404, "PROFILE_NOT_FOUND") }
        guard !request.devices.isEmpty else { throw AppleFailure(400, "DEVICE_ID_REQUIRED") }
        guard request.devices.count <= DEPClient.maximumSerialsPerCall else {
            throw AppleFailure(400, "MALFORMED_REQUEST_BODY")
        }
        return assign(
            server: number,
            uuid: uuid.uppercased(),
            serials: request.devices,
            protocolVersion: protocolVersion,
            now: now
        )
    }

    /// Per-device results: `NOT_ACCESSIBLE` off this server, `FAILED` and `THROTTLED` as the faults say
    /// (`THROTTLED` from protocol version 9, `retry_after_seconds` from 10; before 9 a throttled device fails).
    private mutating func assign(server number: Int, uuid: String, serials: [String], protocolVersion: Int, now: Date)
        -> ProfileAssignmentResponse
    {
        let faults = servers[number].faults
        var results: [String: DeviceResult] = [:]
        var throttled = false
        for serial in serials {
            guard servers[number].source(of: serial) != nil else {
                results[serial] = .notAccessible
                continue
            }
            if faults.failingSerials.contains(serial) || roll() < faults.assignFailureRate {
                results[serial] = .failed
                continue
            }
            if roll() < faults.assignThrottleRate {
                results[serial] = protocolVersion >= 9 ? .throttled : .failed
                throttled = throttled || protocolVersion >= 9
                continue
            }
            servers[number].states[serial] = .init(profileStatus: .assigned, profileUUID: uuid, profileAssignTime: now)
            servers[number].events.append(.init(serial: serial, opType: .modified, opDate: now))
            results[serial] = .success
        }
        return ProfileAssignmentResponse(
            profileUUID: uuid,
            devices: results,
            retryAfterSeconds: throttled && protocolVersion >= 10 ? faults.assignRetryAfterSeconds : nil
        )
    }

    /// `DELETE /profile/devices`.
    mutating func removeProfile(server number: Int, request: ProfileDevicesRequest, now: Date) throws(AppleFailure)
        -> [String: DeviceResult]
    {
        guard !request.devices.isEmpty else { throw AppleFailure(400, "DEVICE_ID_REQUIRED") }
        var results: [String: DeviceResult] = [:]
        for serial in request.devices {
            guard servers[number].source(of: serial) != nil else {
                results[serial] = .notAccessible
                continue
            }
            servers[number].states[serial] = .init(profileStatus: .removed)
            servers[number].events.append(.init(serial: serial, opType: .modified, opDate: now))
            results[serial] = .success
        }
        return results
    }

    /// Devices that "run Setup Assistant": those with an assigned profile fetch it (`pushed`).
    mutating func runSetupAssistant(server number: Int, serials: [String], now: Date) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for serial in serials {
            guard servers[number].source(of: serial) != nil, var state = servers[number].states[serial],
                state.profileStatus == .assigned || state.profileStatus == .pushed
            else {
                result[serial] = false
                continue
            }
            state.profileStatus = .pushed
            state.profilePushTime = now
            servers[number].states[serial] = state
            servers[number].events.append(.init(serial: serial, opType: .modified, opDate: now))
            result[serial] = true
        }
        return result
    }

    // MARK: - Account

    /// `GET /account`.
    func account(server number: Int) -> AccountDetail {
        let server = servers[number]
        let organisation = organisations[server.organisation]
        let limit = AccountDetail.URLEntry.Limit(
            default: configuration.defaultPageLimit,
            maximum: configuration.maximumPageLimit
        )
        let urls: [AccountDetail.URLEntry] = [
            .init(uri: "/session", httpMethod: ["GET"]),
            .init(uri: "/account", httpMethod: ["GET"]),
            .init(uri: "/server/devices", httpMethod: ["POST"], limit: limit),
            .init(uri: "/devices/sync", httpMethod: ["POST"], limit: limit),
            .init(uri: "/devices", httpMethod: ["POST"]),
            .init(uri: "/devices/disown", httpMethod: ["POST"]),
            .init(uri: "/device/activationlock", httpMethod: ["POST"]),
            .init(uri: "/device/replacementDetails", httpMethod: ["GET"]),
            .init(uri: "/profile", httpMethod: ["POST", "GET"]),
            .init(uri: "/profile/devices", httpMethod: ["DELETE", "POST", "PUT"]),
            .init(uri: "/os-beta-enrollment/tokens", httpMethod: ["GET"]),
            .init(uri: "/account-driven-enrollment/profile", httpMethod: ["POST", "GET", "DELETE"]),
        ]
        return AccountDetail(
            serverName: server.name,
            serverUUID: server.uuid,
            adminID: organisation.adminAppleID,
            facilitatorID: organisation.adminAppleID,
            orgName: organisation.name,
            orgEmail: organisation.email,
            orgPhone: "+1 555 0100",
            orgAddress: "1 Simulation Way, Cupertino, CA 95014",
            orgID: organisation.id,
            orgIDHash: String(SeededRandom.hash(organisation.id), radix: 16),
            orgType: organisation.type,
            orgVersion: "v2",
            urls: urls
        )
    }

    /// `GET /os-beta-enrollment/tokens`.
    func betaTokens(server number: Int) throws(AppleFailure) -> BetaEnrollmentTokensResponse {
        guard organisations[servers[number].organisation].appleSeedForIT else {
            throw AppleFailure(403, "APPLE_SEED_FOR_IT_TURNED_OFF")
        }
        let seed = servers[number].uuid.prefix(8)
        return BetaEnrollmentTokensResponse(betaEnrollmentTokens: [
            .init(title: "iOS 27 Beta", token: "BETA-IOS-\(seed)", os: .iOS),
            .init(title: "macOS 27 Beta", token: "BETA-MAC-\(seed)", os: .macOS),
            .init(title: "visionOS 27 Beta", token: "BETA-VIS-\(seed)", os: .visionOS),
        ])
    }

    /// `POST /account-driven-enrollment/profile`.
    mutating func setServiceDiscovery(server number: Int, url: String?, now: Date) throws(AppleFailure) {
        guard let url, !url.isEmpty else { throw AppleFailure(400, "MDM_SERVICE_DISCOVERY_URL_REQUIRED") }
        guard url.lowercased().hasPrefix("https://"), URLComponents(string: url)?.host?.isEmpty == false else {
            throw AppleFailure(400, "MDM_SERVICE_DISCOVERY_URL_NOT_VALID")
        }
        servers[number].serviceDiscovery = (url, now)
    }

    /// `GET /account-driven-enrollment/profile`.
    func serviceDiscovery(server number: Int) throws(AppleFailure) -> AccountDrivenEnrollmentProfile {
        guard let discovery = servers[number].serviceDiscovery else { throw AppleFailure(404, "NOT_FOUND") }
        return AccountDrivenEnrollmentProfile(
            mdmServiceDiscoveryURL: discovery.url,
            lastUpdatedTimestamp: discovery.updated
        )
    }

    /// `DELETE /account-driven-enrollment/profile`.
    mutating func deleteServiceDiscovery(server number: Int) throws(AppleFailure) {
        guard servers[number].serviceDiscovery != nil else { throw AppleFailure(404, "NOT_FOUND") }
        servers[number].serviceDiscovery = nil
    }
}
