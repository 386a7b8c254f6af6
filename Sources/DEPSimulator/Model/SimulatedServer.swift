import ADESupport
import DEPClient
import Foundation
import ServerToken

/// One MDM server of the simulated ABM: its token, its devices (generated, plus what changed), its profiles,
/// sync history and faults.
struct SimulatedServer: Sendable {
    /// What changed about one device, on top of what the generator makes.
    struct DeviceState: Sendable {
        var profileStatus: ProfileStatus = .empty
        var profileUUID: String?
        var profileAssignTime: Date?
        var profilePushTime: Date?
    }

    /// A device that came from another server of the organisation.
    struct Arrival: Sendable {
        var originServer: Int
        var originIndex: Int
    }

    /// One record of the sync stream.
    struct SyncEvent: Sendable {
        var serial: String
        var opType: OperationType
        var opDate: Date
    }

    let number: Int
    let organisation: Int
    let uuid: String
    var name: String
    let generator: DeviceGenerator
    /// Devices `0..<deviceCount` of the generator were assigned to this server at some time.
    var deviceCount: Int
    var certificate: TokenCertificate?
    var credentials: OAuthCredentials
    /// Access tokens of earlier downloads: `token_rejected` now.
    var supersededAccessTokens: Set<String> = []
    var tokenGeneration = 1
    var revoked = false
    var faults: SimulatedFaults
    var churnPerDay: SimulatorConfiguration.Churn
    var lastChurnAt: Date
    var states: [String: DeviceState] = [:]
    /// Serials deleted from, disowned by, or moved away from this server.
    var gone: Set<String> = []
    var arrivals: [String: Arrival] = [:]
    var arrivalOrder: [String] = []
    /// The sync stream; a cursor's position is an index into it.
    var events: [SyncEvent] = []
    /// Bumped to invalidate every cursor.
    var cursorGeneration = 0
    var profiles: [String: Profile] = [:]
    var serviceDiscovery: (url: String, updated: Date)?
    var lockedSerials: Set<String> = []
    /// Answers sent, for session rotation.
    var answers = 0
    /// Sessions opened with `GET /session`.
    var sessionsOpened = 0
    /// Requests being answered now.
    var inFlight = 0
    /// Requests that arrived while another request for this server was being answered.
    var overlappingRequests = 0

    /// Whether `serial` is assigned to this server now, and where its fixed attributes come from.
    func source(of serial: String) -> (generator: Int, index: Int)? {
        guard !gone.contains(serial) else { return nil }
        if let index = generator.index(of: serial), index < deviceCount {
            return (number, index)
        }
        if let arrival = arrivals[serial] {
            return (arrival.originServer, arrival.originIndex)
        }
        return nil
    }
}
