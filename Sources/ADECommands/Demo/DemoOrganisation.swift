import ADECore
import DEPClient
import DEPSimulator
import Foundation
import Logging
import ServerToken

/// The sample organisation of `ade demo`: five enrollment program tokens, each in a state an admin meets, every one
/// made through the real path — key pair in `ade`, certificate to the simulated ABM, `.p7m` downloaded there,
/// uploaded to `ade`.
struct DemoOrganisation {
    /// One demo token: its MDM server in the simulated ABM and what happens to it.
    struct Token {
        enum Story {
            /// Works.
            case healthy
            /// Issued 362 days ago: expires in three days.
            case expiringSoon
            /// Issued 370 days ago: expired five days ago.
            case expired
            /// Its organisation published new terms nobody accepted yet.
            case termsNotAccepted
            /// Someone downloaded a newer token in ABM, which was never uploaded: Apple rejects the stored one.
            case supersededByNewerDownload
        }

        var name: String
        var devices: Int
        var organisation: Int
        var story: Story
    }

    static let schoolDistrict = "Northwind School District"
    static let retailer = "Contoso Retail"

    static let tokens: [Token] = [
        Token(name: "Campus iPads", devices: 3000, organisation: 0, story: .healthy),
        Token(name: "Staff Macs", devices: 1500, organisation: 0, story: .expiringSoon),
        Token(name: "Library Carts", devices: 800, organisation: 0, story: .expired),
        Token(name: "Retail Stores", devices: 2000, organisation: 1, story: .termsNotAccepted),
        Token(name: "Warehouse", devices: 1200, organisation: 0, story: .supersededByNewerDownload),
    ]

    /// How far in the past the simulator's clock starts, so that tokens issued then expire now.
    static let clockStart: TimeInterval = -370 * 86_400

    /// The simulator's world: the school district with its servers, the retailer with one.
    static func simulator(logger: Logger) -> DEPSimulator {
        var configuration = SimulatorConfiguration()
        configuration.organisationName = schoolDistrict
        configuration.organisationType = "edu"
        configuration.servers = tokens.filter { $0.organisation == 0 }.map { .init(name: $0.name, devices: $0.devices) }
        let simulator = DEPSimulator(
            configuration: configuration,
            clock: SimulatorClock(offset: clockStart),
            logger: logger
        )
        let retailer = simulator.addOrganisation(name: retailer)
        for token in tokens where token.organisation == 1 {
            simulator.addServer(name: token.name, devices: token.devices, organisation: retailer)
        }
        return simulator
    }

    /// The demo's default profile: supervised, not removable, a few Setup Assistant panes skipped.
    static let defaultProfile = Profile(
        profileName: "Contoso Staff",
        url: "https://mdm.contoso.example/enroll",
        isSupervised: true,
        isMDMRemovable: false,
        awaitDeviceConfigured: true,
        supportPhoneNumber: "+1 555 0100",
        supportEmailAddress: "it@contoso.example",
        department: "IT",
        skipSetupItems: ["Siri", "TOS", "Diagnostics"]
    )

    /// Creates every token in `ade` and in the simulated ABM, bringing the simulator's clock to the present. Tokens
    /// that fall into an error state later (terms, a newer download) are synced once with `sync` before, so that
    /// they hold devices that no longer sync.
    static func enroll(
        simulator: DEPSimulator,
        baseURL: URL,
        service: TokenService,
        profiles: ProfileService,
        sync: (EnrollmentToken) async throws -> Void
    ) async throws {
        var files: [String: [UInt8]] = [:]
        let servers = Dictionary(simulator.servers.map { ($0.name, $0.uuid) }, uniquingKeysWith: { first, _ in first })
        for token in tokens {
            let (_, certificate) = try await service.create(name: token.name, baseURL: baseURL)
            guard let uuid = servers[token.name] else { continue }
            try simulator.uploadCertificate(pem: certificate.pemRepresentation, server: uuid)
        }
        func download(_ name: String) throws {
            guard let uuid = servers[name] else { return }
            files[name] = Array(try simulator.downloadToken(server: uuid).contents.utf8)
        }
        // Every token gets a default profile (defined at Apple, so while its token works): devices receive it as
        // they sync, and a token fixed in the demo is healthy again, not missing a default.
        func giveDefaultProfile(_ name: String) async throws {
            _ = try await profiles.create(token: name, name: "Staff", profile: defaultProfile)
            try await profiles.setDefault(token: name, name: "Staff", family: nil)
        }
        var uploaded: Set<String> = []
        // Now is 370 days ago for the simulator: the expired token is issued (and uploaded with its profile while it
        // is valid for Apple), then the expiring one eight days later.
        for token in tokens where token.story == .expired {
            try download(token.name)
            guard let file = files[token.name] else { continue }
            _ = try await service.reading(simulator.clock).upload(name: token.name, file: file)
            try await giveDefaultProfile(token.name)
            uploaded.insert(token.name)
        }
        simulator.advanceClock(by: 8 * 86_400)
        for token in tokens where token.story == .expiringSoon { try download(token.name) }
        simulator.advanceClock(by: -clockStart - 8 * 86_400)
        for token in tokens where files[token.name] == nil { try download(token.name) }
        for token in tokens where !uploaded.contains(token.name) {
            guard let file = files[token.name] else { continue }
            let stored = try await service.upload(name: token.name, file: file).token
            try await giveDefaultProfile(token.name)
            if [.termsNotAccepted, .supersededByNewerDownload].contains(token.story) { try await sync(stored) }
        }
        for token in tokens {
            switch token.story {
            case .termsNotAccepted: simulator.publishTerms(organisation: token.organisation)
            // A newer token downloaded in ABM and never uploaded: the stored one is rejected from now on.
            case .supersededByNewerDownload: try download(token.name)
            default: break
            }
        }
    }
}
