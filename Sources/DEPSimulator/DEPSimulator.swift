import DEPClient
public import Foundation
public import Logging
public import ServerToken
import Synchronization

/// A faithful simulator of Apple's device enrollment web service and of Apple Business Manager's token issuing,
/// with fault injection, for tests and for MDM developers.
///
/// Run it in process (``buildRouter()`` in a Hummingbird application, or ``run(host:port:onRunning:)``) or as
/// `ade simulator`. The Apple side answers at the same paths as `https://mdmenrollment.apple.com`; the ABM side is
/// a small web page under `/abm`; the control API under `/control` sets faults, advances the clock and drives
/// device changes.
public final class DEPSimulator: Sendable {
    /// An MDM server as the control API and ABM page show it.
    public struct ServerInfo: Codable, Sendable, Hashable {
        public var uuid: String
        public var name: String
        public var organisation: Int
        /// Devices assigned to the server now.
        public var devices: Int
        public var certificateUploaded: Bool
        /// How many tokens were downloaded (1 before the first download).
        public var tokenGeneration: Int
        public var tokenExpiry: Date
        public var revoked: Bool
        /// Sessions opened with `GET /session` so far.
        public var sessionsOpened: Int
        /// Answers of the Apple endpoints (all but `/session`) so far.
        public var answers: Int
        /// Requests (`/session` included) that arrived while another request for this server was being answered:
        /// 0 when one client at a time talks to it, as one syncing node per token does.
        public var overlappingRequests: Int
        public var faults: SimulatedFaults
    }

    /// The configuration it started with.
    public let configuration: SimulatorConfiguration
    /// The simulated clock (advance it to expire tokens, cursors and sessions).
    public let clock: SimulatorClock
    let world: Mutex<SimulatorWorld>
    let logger: Logger

    /// Creates a simulator with the organisation and servers of `configuration`.
    public init(
        configuration: SimulatorConfiguration = SimulatorConfiguration(),
        clock: SimulatorClock = SimulatorClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.world = Mutex(SimulatorWorld(configuration: configuration, now: clock.now()))
    }

    // MARK: - Reading

    /// Every MDM server.
    public var servers: [ServerInfo] {
        world.withLock { world in world.servers.map { Self.info($0) } }
    }

    /// One MDM server.
    public func server(_ uuid: String) throws(DEPSimulatorError) -> ServerInfo {
        try withServer(uuid) { world, number in Self.info(world.servers[number]) }
    }

    /// The first server's UUID: the one `--credentials-out` describes.
    public var defaultServerUUID: String {
        world.withLock { $0.servers[0].uuid }
    }

    /// The current credentials of a server's token, as a decrypted token file holds them.
    public func credentials(server uuid: String) throws(DEPSimulatorError) -> OAuthCredentials {
        try withServer(uuid) { world, number in world.servers[number].credentials }
    }

    /// Serials of devices assigned to a server now, in fetch order.
    public func serials(server uuid: String, offset: Int = 0, limit: Int = 100) throws(DEPSimulatorError) -> [String] {
        try withServer(uuid) { world, number in
            let server = world.servers[number]
            var serials: [String] = []
            // Without departures, position `offset` is device `offset`: no need to walk there.
            var skipped = server.gone.isEmpty ? offset : 0
            var index = server.gone.isEmpty ? max(0, offset) : 0
            while serials.count < limit, index < server.deviceCount + server.arrivalOrder.count {
                let serial =
                    index < server.deviceCount
                    ? server.generator.serial(index) : server.arrivalOrder[index - server.deviceCount]
                index += 1
                guard server.source(of: serial) != nil else { continue }
                if skipped < offset {
                    skipped += 1
                    continue
                }
                serials.append(serial)
            }
            return serials
        }
    }

    // MARK: - ABM

    /// Adds an MDM server to the organisation, with `devices` generated devices.
    @discardableResult
    public func addServer(name: String, devices: Int, organisation: Int = 0) -> ServerInfo {
        let now = clock.now()
        return world.withLock { world in
            let number = world.addServer(
                name: name,
                organisation: min(max(0, organisation), world.organisations.count - 1),
                devices: devices,
                now: now
            )
            return Self.info(world.servers[number])
        }
    }

    /// Uploads the MDM's public key certificate for a server, as an ABM administrator does.
    public func uploadCertificate(pem: String, server uuid: String) throws(DEPSimulatorError) {
        try withServer(uuid) { world, number throws(DEPSimulatorError) in
            try world.uploadCertificate(server: number, pem: pem)
        }
    }

    /// Downloads a new server token (`.p7m` text), encrypted to the uploaded certificate as ABM does. The previous
    /// token is rejected from now on.
    /// - Parameter byAnotherAdministrator: Another ABM user downloads it: the consumer key changes.
    public func downloadToken(server uuid: String, byAnotherAdministrator: Bool = false) throws(DEPSimulatorError)
        -> (fileName: String, contents: String)
    {
        let now = clock.now()
        return try withServer(uuid) { world, number throws(DEPSimulatorError) in
            try world.downloadToken(server: number, now: now, byAnotherAdministrator: byAnotherAdministrator)
        }
    }

    /// Publishes new terms and conditions: every call answers `T_C_NOT_SIGNED` until they are accepted.
    public func publishTerms(organisation: Int = 0) {
        world.withLock { $0.publishTerms(organisation: min(max(0, organisation), $0.organisations.count - 1)) }
    }

    /// Accepts the terms, as an ABM administrator does.
    public func acceptTerms(organisation: Int = 0) {
        world.withLock { $0.acceptTerms(organisation: min(max(0, organisation), $0.organisations.count - 1)) }
    }

    /// Revokes a server's token.
    public func revoke(server uuid: String) throws(DEPSimulatorError) {
        try withServer(uuid) { world, number in world.revoke(server: number) }
    }

    /// Reassigns devices to another server; returns which moved.
    public func move(serials: [String], to uuid: String) throws(DEPSimulatorError) -> [String: Bool] {
        let now = clock.now()
        return try withServer(uuid) { world, number in world.move(serials: serials, to: number, now: now) }
    }

    // MARK: - Control

    /// Replaces a server's faults.
    public func setFaults(_ faults: SimulatedFaults, server uuid: String) throws(DEPSimulatorError) {
        try withServer(uuid) { world, number in world.servers[number].faults = faults }
    }

    /// A server's faults.
    public func faults(server uuid: String) throws(DEPSimulatorError) -> SimulatedFaults {
        try withServer(uuid) { world, number in world.servers[number].faults }
    }

    /// Records device changes in ABM now.
    public func churn(server uuid: String, added: Int = 0, modified: Int = 0, deleted: Int = 0)
        throws(DEPSimulatorError)
    {
        let now = clock.now()
        try withServer(uuid) { world, number in
            world.applyChurn(server: number, added: added, modified: modified, deleted: deleted, at: now)
        }
    }

    /// Devices with an assigned profile run Setup Assistant (`profile_status` becomes `pushed`).
    public func runSetupAssistant(server uuid: String, serials: [String]) throws(DEPSimulatorError) -> [String: Bool] {
        let now = clock.now()
        return try withServer(uuid) { world, number in
            world.runSetupAssistant(server: number, serials: serials, now: now)
        }
    }

    /// Makes every outstanding cursor of a server `INVALID_CURSOR`.
    public func invalidateCursors(server uuid: String) throws(DEPSimulatorError) {
        try withServer(uuid) { world, number in world.invalidateCursors(server: number) }
    }

    /// Forgets every session, as a restarted service does (clients must authenticate again).
    public func forgetSessions() {
        world.withLock { $0.forgetSessions() }
    }

    /// Adds an organisation; returns its number.
    @discardableResult
    public func addOrganisation(name: String, type: String = "org", appleSeedForIT: Bool = false) -> Int {
        world.withLock { $0.addOrganisation(name: name, type: type, appleSeedForIT: appleSeedForIT) }
    }

    /// Moves the simulated clock forward.
    public func advanceClock(by seconds: TimeInterval) {
        clock.advance(by: seconds)
    }

    // MARK: - Helpers

    func withServer<T>(
        _ uuid: String,
        _ body: (inout SimulatorWorld, Int) throws(DEPSimulatorError) -> T
    ) throws(DEPSimulatorError) -> T {
        try world.withLock { (world: inout SimulatorWorld) throws(DEPSimulatorError) -> T in
            guard let number = world.serverNumber(uuid: uuid) else {
                throw DEPSimulatorError(.unknownServer, "No MDM server has the UUID \(uuid).")
            }
            return try body(&world, number)
        }
    }

    static func info(_ server: SimulatedServer) -> ServerInfo {
        ServerInfo(
            uuid: server.uuid,
            name: server.name,
            organisation: server.organisation,
            devices: server.deviceCount + server.arrivalOrder.count
                - server.gone.filter { server.generator.index(of: $0).map { $0 < server.deviceCount } ?? true }.count,
            certificateUploaded: server.certificate != nil,
            tokenGeneration: server.tokenGeneration,
            tokenExpiry: server.credentials.accessTokenExpiry,
            revoked: server.revoked,
            sessionsOpened: server.sessionsOpened,
            answers: server.answers,
            overlappingRequests: server.overlappingRequests,
            faults: server.faults
        )
    }
}
