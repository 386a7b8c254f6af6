public import Foundation

/// How a simulator starts: its seed, its organisations and MDM servers, and the behaviour knobs of Apple's service.
/// Read from JSON by `ade simulator --config FILE`; every field has a default.
public struct SimulatorConfiguration: Codable, Sendable {
    /// An MDM server to create at start.
    public struct Server: Codable, Sendable {
        public var name: String
        /// Devices assigned to it in ABM at start.
        public var devices: Int
        /// Changes per simulated day: devices added, modified and deleted in ABM.
        public var churnPerDay: Churn
        public var faults: SimulatedFaults

        public init(
            name: String,
            devices: Int,
            churnPerDay: Churn = Churn(),
            faults: SimulatedFaults = SimulatedFaults()
        ) {
            self.name = name
            self.devices = devices
            self.churnPerDay = churnPerDay
            self.faults = faults
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            devices = try container.decodeIfPresent(Int.self, forKey: .devices) ?? 0
            churnPerDay = try container.decodeIfPresent(Churn.self, forKey: .churnPerDay) ?? Churn()
            faults = try container.decodeIfPresent(SimulatedFaults.self, forKey: .faults) ?? SimulatedFaults()
        }
    }

    /// Device changes.
    public struct Churn: Codable, Hashable, Sendable {
        public var added: Int
        public var modified: Int
        public var deleted: Int
        public init(added: Int = 0, modified: Int = 0, deleted: Int = 0) {
            self.added = added
            self.modified = modified
            self.deleted = deleted
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            added = try container.decodeIfPresent(Int.self, forKey: .added) ?? 0
            modified = try container.decodeIfPresent(Int.self, forKey: .modified) ?? 0
            deleted = try container.decodeIfPresent(Int.self, forKey: .deleted) ?? 0
        }
    }

    /// The seed of every generated device, credential and fault decision.
    public var seed: UInt64
    /// The organisation's name.
    public var organisationName: String
    /// `org` or `edu`.
    public var organisationType: String
    /// Whether the organisation has AppleSeed for IT (beta enrollment tokens).
    public var appleSeedForIT: Bool
    /// MDM servers made at start; the first is the default one.
    public var servers: [Server]
    /// How long a session token lives without use.
    public var sessionLifetimeSeconds: Int
    /// Every how many answers a session token is rotated (`X-ADM-Auth-Session` in the answer); 0 never.
    public var rotateSessionEvery: Int
    /// Cursors older than this are `EXPIRED_CURSOR` (Apple: 7 days).
    public var cursorLifetimeSeconds: Int
    /// The page limit when a request names none, and the largest accepted.
    public var defaultPageLimit: Int
    public var maximumPageLimit: Int
    /// How far an OAuth timestamp may be from the system's time.
    public var oauthTimestampToleranceSeconds: Int
    /// How error bodies are written: `plain` (`EXPIRED_CURSOR`), `quoted` (`"EXPIRED_CURSOR"`, as depsim) or
    /// `object` (`{"code":"EXPIRED_CURSOR"}`).
    public var errorBodyStyle: String

    /// The defaults: one organisation with one server of 1000 devices, Apple's limits.
    public init(
        seed: UInt64 = 1,
        organisationName: String = "Simulated Organisation",
        organisationType: String = "org",
        appleSeedForIT: Bool = true,
        servers: [Server] = [Server(name: "ade simulator", devices: 1000)],
        sessionLifetimeSeconds: Int = 1800,
        rotateSessionEvery: Int = 0,
        cursorLifetimeSeconds: Int = 7 * 86_400,
        defaultPageLimit: Int = 100,
        maximumPageLimit: Int = 1000,
        oauthTimestampToleranceSeconds: Int = 300,
        errorBodyStyle: String = "plain"
    ) {
        self.seed = seed
        self.organisationName = organisationName
        self.organisationType = organisationType
        self.appleSeedForIT = appleSeedForIT
        self.servers = servers
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
        self.rotateSessionEvery = rotateSessionEvery
        self.cursorLifetimeSeconds = cursorLifetimeSeconds
        self.defaultPageLimit = defaultPageLimit
        self.maximumPageLimit = maximumPageLimit
        self.oauthTimestampToleranceSeconds = oauthTimestampToleranceSeconds
        self.errorBodyStyle = errorBodyStyle
    }

    public init(from decoder: any Decoder) throws {
        let defaults = SimulatorConfiguration()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        seed = try value(.seed, defaults.seed)
        organisationName = try value(.organisationName, defaults.organisationName)
        organisationType = try value(.organisationType, defaults.organisationType)
        appleSeedForIT = try value(.appleSeedForIT, defaults.appleSeedForIT)
        servers = try value(.servers, defaults.servers)
        sessionLifetimeSeconds = try value(.sessionLifetimeSeconds, defaults.sessionLifetimeSeconds)
        rotateSessionEvery = try value(.rotateSessionEvery, defaults.rotateSessionEvery)
        cursorLifetimeSeconds = try value(.cursorLifetimeSeconds, defaults.cursorLifetimeSeconds)
        defaultPageLimit = try value(.defaultPageLimit, defaults.defaultPageLimit)
        maximumPageLimit = try value(.maximumPageLimit, defaults.maximumPageLimit)
        oauthTimestampToleranceSeconds = try value(
            .oauthTimestampToleranceSeconds,
            defaults.oauthTimestampToleranceSeconds
        )
        errorBodyStyle = try value(.errorBodyStyle, defaults.errorBodyStyle)
    }

    /// Reads a configuration file.
    public static func load(contentsOf url: URL) throws -> SimulatorConfiguration {
        try JSONDecoder().decode(SimulatorConfiguration.self, from: Data(contentsOf: url))
    }
}
