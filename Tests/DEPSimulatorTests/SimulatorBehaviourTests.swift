import ADESupport
import ADETesting
import AsyncHTTPClient
import DEPClient
import DEPSimulator
import Foundation
import NIOCore
import NIOHTTP1
import ServerToken
import Testing

/// The simulator behaves as Apple does: OAuth checks, churn, duplicates, moves between servers, the ABM page and the
/// control API.
struct SimulatorBehaviourTests {
    /// A raw HTTP exchange with the simulator (for what the client does not send).
    static func raw(
        _ harness: SimulatorHarness,
        _ method: HTTPMethod,
        _ path: String,
        headers: [(String, String)] = [("User-Agent", "ade-tests")],
        body: String? = nil
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: harness.baseURL.absoluteString + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }

    @Test func oauthIsVerified() async throws {
        try await SimulatorHarness.with { harness in
            let credentials = try harness.defaultServer.credentials
            let url = harness.baseURL.appendingPathComponent("session")
            func header(
                secret: String = credentials.consumerSecret,
                timestamp: Int = Int(Date().timeIntervalSince1970),
                nonce: String
            ) -> String {
                OAuth1Signer.authorizationHeader(
                    method: "GET",
                    url: url,
                    consumerKey: credentials.consumerKey,
                    consumerSecret: secret,
                    token: credentials.accessToken,
                    tokenSecret: credentials.accessSecret,
                    timestamp: timestamp,
                    nonce: nonce
                )
            }
            let ok = try await Self.raw(
                harness,
                .GET,
                "/session",
                headers: [("User-Agent", "t"), ("Authorization", header(nonce: "n1"))]
            )
            #expect(ok.status == 200)
            #expect(ok.body.contains("auth_session_token"))
            let replay = try await Self.raw(
                harness,
                .GET,
                "/session",
                headers: [("User-Agent", "t"), ("Authorization", header(nonce: "n1"))]
            )
            #expect(replay.status == 401 && replay.body.contains("nonce_used"))
            let forged = try await Self.raw(
                harness,
                .GET,
                "/session",
                headers: [("User-Agent", "t"), ("Authorization", header(secret: "CS_x", nonce: "n2"))]
            )
            #expect(forged.status == 401 && forged.body.contains("signature_invalid"))
            let stale = try await Self.raw(
                harness,
                .GET,
                "/session",
                headers: [
                    ("User-Agent", "t"),
                    ("Authorization", header(timestamp: Int(Date().timeIntervalSince1970) - 3600, nonce: "n3")),
                ]
            )
            #expect(stale.status == 401 && stale.body.contains("timestamp_refused"))
            #expect(stale.headers.first(name: "Date") != nil, "a client compares its clock with this")
            let missing = try await Self.raw(harness, .GET, "/session", headers: [("User-Agent", "t")])
            #expect(missing.status == 400)
            let noAgent = try await Self.raw(harness, .GET, "/session", headers: [])
            #expect(noAgent.status == 400 && noAgent.body == "USER_AGENT_MISSING")
            let noSession = try await Self.raw(harness, .GET, "/account")
            #expect(noSession.status == 401 && noSession.body == "UNAUTHORIZED")
        }
    }

    @Test func configuredChurnAppearsAsTimePassesWithDuplicates() async throws {
        let configuration = SimulatorConfiguration(
            servers: [.init(name: "Churn", devices: 100, churnPerDay: .init(added: 48, modified: 240, deleted: 24))]
        )
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let page = try await client.fetchDevices(server, limit: 1000)
                #expect(page.devices.count == 100)
                harness.simulator.advanceClock(by: 86_400)
                var cursor = try #require(page.cursor)
                var records: [Device] = []
                while true {
                    let sync = try await client.syncDevices(server, cursor: cursor, limit: 100)
                    records += sync.devices
                    cursor = try #require(sync.cursor)
                    if !sync.moreToFollow { break }
                }
                let byType = Dictionary(grouping: records, by: { $0.opType?.rawValue ?? "-" })
                #expect(byType["added"]?.count == 48)
                #expect(byType["deleted"]?.count == 24)
                let modified = byType["modified"] ?? []
                #expect(modified.count >= 240, "about one modification in ten is repeated")
                let repeated = Dictionary(grouping: modified, by: \.serialNumber).values.filter { $0.count > 1 }
                #expect(!repeated.isEmpty)
                for duplicates in repeated {
                    let dates = duplicates.compactMap(\.opDate)
                    #expect(Set(dates).count == dates.count, "duplicates differ by op_date")
                }
                let fresh = try await client.fetchDevices(server, limit: 1000)
                #expect(fresh.devices.count == 100 + 48 - 24)
            }
        }
    }

    @Test func devicesMoveBetweenServers() async throws {
        let configuration = SimulatorConfiguration(servers: [
            .init(name: "A", devices: 10), .init(name: "B", devices: 10),
        ])
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient { client in
                let servers = harness.simulator.servers
                let a = try harness.server(servers[0].uuid)
                let b = try harness.server(servers[1].uuid)
                let cursorA = try #require(try await client.fetchDevices(a, limit: 100).cursor)
                let cursorB = try #require(try await client.fetchDevices(b, limit: 100).cursor)
                let moving = try harness.simulator.serials(server: a.name, limit: 2)
                #expect(try harness.simulator.move(serials: moving, to: b.name).values.allSatisfy { $0 })

                let left = try await client.syncDevices(a, cursor: cursorA)
                #expect(Set(left.devices.filter { $0.opType == .deleted }.map(\.serialNumber)) == Set(moving))
                let arrived = try await client.syncDevices(b, cursor: cursorB)
                #expect(Set(arrived.devices.map(\.serialNumber)) == Set(moving))
                #expect(arrived.devices.allSatisfy { $0.opType == .modified && $0.profileStatus == .removed })
                let details = try await client.deviceDetails(a, serials: moving)
                #expect(details.devices.values.allSatisfy { $0.responseStatus == .notAccessible })
                #expect(try await client.fetchDevices(b, limit: 100).devices.count == 12)
            }
        }
    }

    @Test func theABMPageIssuesTokensThatDecrypt() async throws {
        try await SimulatorHarness.with { harness in
            let uuid = harness.simulator.defaultServerUUID
            let page = try await Self.raw(harness, .GET, "/abm")
            #expect(page.status == 200)
            #expect(page.body.contains("Upload public key") && page.body.contains(uuid))
            let early = try await Self.raw(harness, .POST, "/abm/servers/\(uuid)/token")
            #expect(early.status == 400 && early.body.contains("Upload the MDM server"))

            let pair = try TokenKeyPair.generate(notValidBefore: Date())
            let form =
                "certificate=" + pair.certificate.pemRepresentation.addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics
                )!
            let upload = try await Self.raw(
                harness,
                .POST,
                "/abm/servers/\(uuid)/certificate",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: form
            )
            // The form answers 303 to the page, which the HTTP client follows.
            #expect(upload.status == 200 && upload.body.contains("Public key uploaded"))
            let bad = try await Self.raw(
                harness,
                .POST,
                "/abm/servers/\(uuid)/certificate",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "certificate=nonsense"
            )
            #expect(bad.status == 400 && bad.body.contains("not a PEM certificate"))

            let download = try await Self.raw(harness, .POST, "/abm/servers/\(uuid)/token")
            #expect(download.status == 200)
            #expect(download.headers.first(name: "Content-Disposition")?.contains("_smime.p7m") == true)
            let credentials = try ServerTokenDecryptor(keyPair: pair).decrypt(Array(download.body.utf8))
            #expect(credentials == (try harness.simulator.credentials(server: uuid)))
            #expect(credentials.issuedAt != nil)
            #expect(credentials.accessTokenExpiry.timeIntervalSince(credentials.issuedAt!) > 364 * 86_400)

            harness.simulator.publishTerms()
            #expect(try await Self.raw(harness, .GET, "/abm").body.contains("Accept terms"))
            #expect(try await Self.raw(harness, .POST, "/abm/terms/accept").body.contains("Terms accepted"))
            #expect(try await Self.raw(harness, .GET, "/abm").body.contains("accepted"))
        }
    }

    /// `ade demo`'s second organisation (the retailer) publishes new terms: its administrator can accept them on the
    /// simulated ABM page, as the first organisation's can.
    @Test func everyOrganisationAcceptsItsOwnTerms() async throws {
        try await SimulatorHarness.with { harness in
            let retailer = harness.simulator.addOrganisation(name: "Retailer")
            harness.simulator.publishTerms(organisation: retailer)
            let page = try await Self.raw(harness, .GET, "/abm")
            #expect(page.body.contains("Accept terms for Retailer"), "\(page.body)")
            let accepted = try await Self.raw(
                harness,
                .POST,
                "/abm/terms/accept",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "organisation=\(retailer)"
            )
            #expect(accepted.body.contains("Terms accepted"))
            let after = try await Self.raw(harness, .GET, "/abm")
            #expect(!after.body.contains("Accept terms"))
        }
    }

    @Test func theControlAPIDrivesFaultsAndTheClock() async throws {
        try await SimulatorHarness.with { harness in
            let uuid = harness.simulator.defaultServerUUID
            let set = try await Self.raw(
                harness,
                .PUT,
                "/control/servers/\(uuid)/faults",
                body: #"{"throttle":{"rate":1,"retryAfterSeconds":5},"latencyMilliseconds":1}"#
            )
            #expect(set.status == 200)
            #expect(try harness.simulator.faults(server: uuid).throttle?.retryAfterSeconds == 5)
            let advance = try await Self.raw(harness, .POST, "/control/clock/advance", body: #"{"seconds": 3600}"#)
            #expect(advance.body.contains("\"clockAdvancedBySeconds\":3600"))
            #expect(try await Self.raw(harness, .DELETE, "/control/servers/\(uuid)/faults").status == 200)
            #expect(try harness.simulator.faults(server: uuid) == SimulatedFaults())
            let unknown = try await Self.raw(harness, .GET, "/control/servers/NOPE/faults")
            #expect(unknown.status == 404 && unknown.body.contains("unknown_server"))
            let malformed = try await Self.raw(harness, .PUT, "/control/servers/\(uuid)/faults", body: "{")
            #expect(malformed.status == 400)
            let added = try await Self.raw(harness, .POST, "/control/servers", body: #"{"name":"Extra","devices":7}"#)
            #expect(added.status == 201)
            #expect(harness.simulator.servers.count == 2)
            let credentials = try await Self.raw(harness, .GET, "/control/servers/\(uuid)/credentials")
            #expect(try OAuthCredentials(payload: Array(credentials.body.utf8)).consumerKey.hasPrefix("CK_"))
        }
    }

    @Test func acceptsWhatDepsimAccepted() async throws {
        try await SimulatorHarness.with { harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let uuid = try #require(
                    try await client.defineProfile(server, Profile(profileName: "P", url: "https://m.example"))
                        .profileUUID
                )
                let serial = try harness.simulator.serials(server: server.name, limit: 1)[0]
                // PUT, as depsim required, with depsim's content type.
                let response = try await client.send(
                    "PUT",
                    "/profile/devices",
                    body: try JSONCoding.encode(ProfileDevicesRequest(profileUUID: uuid, devices: [serial])),
                    server: server
                )
                #expect(response.text.contains("SUCCESS"))
            }
        }
    }

    @Test func aMillionDevicesAreGeneratedOnDemand() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(servers: [.init(name: "Huge", devices: 1_000_000)])) {
            harness in
            try await harness.withClient { client in
                let server = try harness.defaultServer
                let first = try await client.fetchDevices(server, limit: 1000)
                #expect(first.devices.count == 1000)
                #expect(first.moreToFollow)
                let last = try harness.simulator.serials(server: server.name, offset: 999_999, limit: 1)
                #expect(last.count == 1)
                let details = try await client.deviceDetails(server, serials: last)
                #expect(details.devices[last[0]]?.responseStatus == .success)
                #expect(try harness.simulator.server(server.name).devices == 1_000_000)
            }
        }
    }

    @Test func configurationFilesNeedOnlyWhatTheyChange() throws {
        let json =
            #"{"seed": 7, "servers": [{"name": "X", "devices": 3, "faults": {"sameCursorBug": true}}], "errorBodyStyle": "quoted"}"#
        let configuration = try JSONDecoder().decode(SimulatorConfiguration.self, from: Data(json.utf8))
        #expect(configuration.seed == 7)
        #expect(configuration.servers[0].faults.sameCursorBug)
        #expect(configuration.servers[0].faults.serverErrorStatus == 503)
        #expect(configuration.defaultPageLimit == 100)
        #expect(configuration.cursorLifetimeSeconds == 7 * 86_400)
        #expect(configuration.errorBodyStyle == "quoted")
    }
}
