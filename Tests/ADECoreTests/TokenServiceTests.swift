import ADECore
import ADESupport
import ADETesting
import DEPClient
import DEPSimulator
import Foundation
import ServerToken
import Testing

/// The token life cycle against the simulator's ABM: create, upload, renew, refusals, pending renewals, import.
struct TokenServiceTests {
    static let configuration = SimulatorConfiguration(
        servers: [.init(name: "Contoso iPads", devices: 20), .init(name: "Contoso Macs", devices: 10)]
    )

    /// Runs `body` with a service on a memory store, talking to the simulator.
    static func withService(
        _ body: @escaping @Sendable (SimulatorHarness, TokenService, any ADEStore) async throws -> Void
    ) async throws {
        try await SimulatorHarness.with(configuration) { harness in
            try await harness.withClient(configuration: DEPClient.Configuration(retry: .none)) { client in
                let store: any ADEStore = MemoryStore()
                let service = harness.tokenService(store: store, client: client)
                try await body(harness, service, store)
            }
        }
    }

    /// ABM: upload a certificate to a simulated server and download its token.
    static func download(
        _ harness: SimulatorHarness,
        server: Int,
        certificate: TokenCertificate,
        anotherAdmin: Bool = false
    ) throws -> [UInt8] {
        let uuid = harness.simulator.servers[server].uuid
        try harness.simulator.uploadCertificate(pem: certificate.pemRepresentation, server: uuid)
        return Array(
            try harness.simulator.downloadToken(server: uuid, byAnotherAdministrator: anotherAdmin).contents.utf8
        )
    }

    @Test func createUploadAndRenew() async throws {
        try await Self.withService { harness, service, store in
            let (token, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            #expect(certificate.commonName == "ade iPads")
            #expect(try await service.certificate(name: "iPads") == certificate)
            await #expect(throws: TokenError(.notUploaded)) { try await service.credentials(for: token) }

            let first = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            #expect(first.kind == .stored)
            #expect(first.usedNewCertificate)
            #expect(first.token.serverName == "Contoso iPads")
            #expect(first.token.serverUUID == harness.simulator.servers[0].uuid)
            #expect(first.token.organisationName == "Simulated Organisation")
            #expect(first.token.adminAppleID != nil)
            #expect(first.token.accessTokenExpiry != nil && first.token.issuedAt != nil)
            let credentials = try await service.credentials(for: first.token)
            #expect(credentials == (try harness.simulator.credentials(server: harness.simulator.servers[0].uuid)))
            let sealed = try await store.secrets(tokenID: token.id)
            #expect(sealed.stagingKey == nil && sealed.currentKey != nil, "the staging pair became current")

            // Renewal: a new download for the same certificate; no new certificate needed.
            let renewal = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            #expect(renewal.kind == .renewed)
            #expect(!renewal.usedNewCertificate)
            #expect(!renewal.consumerKeyChanged)
            #expect(try await service.credentials(for: renewal.token) != credentials)
            let account = try await harness.withClient { client in
                try await client.account(try await service.server(for: renewal.token))
            }
            #expect(account.serverName == "Contoso iPads")
        }
    }

    @Test func anotherServersTokenIsRefusedNamingBoth() async throws {
        try await Self.withService { harness, service, _ in
            let (_, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            let macs = try Self.download(harness, server: 1, certificate: certificate)
            do {
                _ = try await service.upload(name: "iPads", file: macs)
                Issue.record("another server's token was accepted")
            } catch let error as TokenError {
                #expect(error.code == .differentServer)
                #expect(error.parameters["currentServer"] == "Contoso iPads")
                #expect(error.parameters["newServer"] == "Contoso Macs")
            }
            let moved = try await service.upload(name: "iPads", file: macs, force: true)
            #expect(moved.token.serverName == "Contoso Macs")
        }
    }

    @Test func aServerHeldByAnotherTokenIsRefused() async throws {
        try await Self.withService { harness, service, _ in
            let (_, first) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(name: "iPads", file: Self.download(harness, server: 0, certificate: first))
            let (_, second) = try await service.create(name: "Duplicate", baseURL: harness.baseURL)
            do {
                _ = try await service.upload(
                    name: "Duplicate",
                    file: Self.download(harness, server: 0, certificate: second),
                    force: true
                )
                Issue.record("a held server was accepted")
            } catch let error as TokenError {
                #expect(error.code == .serverAlreadyHeld)
                #expect(error.parameters["otherToken"] == "iPads")
            }
        }
    }

    @Test func aRenewalWaitsWhileAppleCannotAnswer() async throws {
        try await Self.withService { harness, service, store in
            let (token, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            let before = try await service.credentials(for: try #require(try await store.token(id: token.id)))
            let uuid = harness.simulator.servers[0].uuid
            var faults = SimulatedFaults()
            faults.serverErrorRate = 1
            try harness.simulator.setFaults(faults, server: uuid)
            let pending = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            #expect(pending.kind == .pending)
            #expect(pending.appleError?.code == .serverError)
            #expect(pending.token.pendingSince != nil)
            #expect(try await service.credentials(for: pending.token) == before, "the old credentials stay in use")

            try harness.simulator.setFaults(SimulatedFaults(), server: uuid)
            let confirmed = try await service.confirmPending(name: "iPads")
            #expect(confirmed.pendingSince == nil)
            #expect(try await service.credentials(for: confirmed) != before)
            #expect(try await store.secrets(tokenID: token.id).pendingCredentials == nil)
        }
    }

    @Test func aFirstUploadTakesWhateverStateAppleGivesIt() async throws {
        try await Self.withService { harness, service, _ in
            let (_, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            let file = try Self.download(harness, server: 0, certificate: certificate)
            harness.simulator.publishTerms()
            let outcome = try await service.upload(name: "iPads", file: file)
            #expect(outcome.kind == .storedUnconfirmed)
            #expect(outcome.appleError?.code == .termsNotSigned)
            #expect(outcome.token.serverUUID == nil)
            #expect(try await service.credentials(for: outcome.token).consumerKey.hasPrefix("CK_"))
        }
    }

    @Test func aConsumerKeyChangedByAnotherAdministratorIsNoted() async throws {
        try await Self.withService { harness, service, _ in
            let (_, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            let renewal = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate, anotherAdmin: true)
            )
            #expect(renewal.kind == .renewed)
            #expect(renewal.consumerKeyChanged)
        }
    }

    @Test func aSupersededFileIsRefusedAndChangesNothing() async throws {
        try await Self.withService { harness, service, store in
            let (token, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            let old = try Self.download(harness, server: 0, certificate: certificate)
            _ = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: certificate)
            )
            let before = try await store.secrets(tokenID: token.id)
            await #expect(throws: DEPError(.tokenRejected, endpoint: "")) {
                try await service.upload(name: "iPads", file: old)
            }
            #expect(try await store.secrets(tokenID: token.id) == before)
        }
    }

    @Test func badFilesAndNamesChangeNothing() async throws {
        try await Self.withService { harness, service, store in
            let (token, _) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            let stranger = try TokenKeyPair.generate(notValidBefore: Date())
            let before = try await store.secrets(tokenID: token.id)
            await #expect(throws: ServerTokenError(.noMatchingRecipient, reason: "")) {
                try await service.upload(
                    name: "iPads",
                    file: Self.download(harness, server: 0, certificate: stranger.certificate)
                )
            }
            await #expect(throws: ServerTokenError(.notSMIME, reason: "")) {
                try await service.upload(name: "iPads", file: Array("hello".utf8))
            }
            #expect(try await store.secrets(tokenID: token.id) == before)
            for name in ["", " padded", "new\nline", String(repeating: "x", count: 101)] {
                await #expect(throws: TokenError(.invalidName)) { try await service.create(name: name) }
            }
            await #expect(throws: StoreError(.duplicateName)) {
                try await service.create(name: "IPADS", baseURL: harness.baseURL)
            }
            await #expect(throws: StoreError(.notFound)) { try await service.upload(name: "nobody", file: []) }
            #expect(try await store.tokens().count == 1)
        }
    }

    @Test func customURLsNeedPermission() async throws {
        try await SimulatorHarness.with { harness in
            try await harness.withClient { client in
                let service = TokenService(
                    store: MemoryStore(),
                    box: SecretBox(key: MasterKey.generate()),
                    client: client,
                    timeSource: SystemTimeSource(),
                    allowCustomURL: false,
                    logger: SimulatorHarness.quietLogger
                )
                await #expect(throws: TokenError(.customURLNotAllowed)) {
                    try await service.create(name: "T", baseURL: harness.baseURL)
                }
                let token = try await service.create(name: "Apple").token
                #expect(token.baseURL == DEPServer.appleBaseURL)
            }
        }
    }

    @Test func importsAKeyAndTokenFromAnotherTool() async throws {
        try await Self.withService { harness, service, _ in
            let nanodep = try TokenKeyPair.generate(commonName: "depserver", notValidBefore: Date())
            let file = try Self.download(harness, server: 1, certificate: nanodep.certificate)
            let outcome = try await service.importToken(
                name: "Macs",
                privateKey: nanodep.privateKey,
                file: file,
                baseURL: harness.baseURL
            )
            #expect(outcome.kind == .stored)
            #expect(outcome.token.serverName == "Contoso Macs")
            let certificate = try #require(try await service.certificate(name: "Macs"))
            #expect(certificate.matches(nanodep.privateKey), "a new certificate for the same key")
            // Renewals of that server still decrypt with the imported key.
            let renewal = try await service.upload(
                name: "Macs",
                file: Self.download(harness, server: 1, certificate: nanodep.certificate)
            )
            #expect(renewal.kind == .renewed)
            let other = try TokenKeyPair.generate(notValidBefore: Date())
            await #expect(throws: ServerTokenError(.noMatchingRecipient, reason: "")) {
                try await service.importToken(
                    name: "Wrong",
                    privateKey: other.privateKey,
                    file: file,
                    baseURL: harness.baseURL
                )
            }
            await #expect(throws: StoreError(.notFound)) { try await service.certificate(name: "Wrong") }
        }
    }

    @Test func aNewCertificateWaitsAsStaging() async throws {
        try await Self.withService { harness, service, _ in
            let (_, first) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(name: "iPads", file: Self.download(harness, server: 0, certificate: first))
            let second = try await service.newCertificate(name: "iPads")
            #expect(second != first)
            #expect(try await service.certificate(name: "iPads") == second)
            let renewal = try await service.upload(
                name: "iPads",
                file: Self.download(harness, server: 0, certificate: second)
            )
            #expect(renewal.usedNewCertificate)
        }
    }
}

/// What an upload refuses before anything is stored: a token past its own expiry, a malformed expiry, and
/// credentials Apple rejects on a first upload.
struct TokenUploadRefusalTests {
    static func file(
        for certificate: TokenCertificate,
        expiry: String,
        consumerKey: String = "CK_unknown"
    ) throws -> [UInt8] {
        let payload =
            "Content-Type: text/plain;charset=UTF-8\r\n\r\n-----BEGIN MESSAGE-----\n"
            + #"{"consumer_key":"\#(consumerKey)","consumer_secret":"CS_x","access_token":"AT_x","#
            + #""access_secret":"AS_x","access_token_expiry":"\#(expiry)"}"#
            + "\n-----END MESSAGE-----\n"
        return Array(try ServerTokenEncryptor(recipient: certificate).encrypt(payload: Array(payload.utf8)).utf8)
    }

    @Test func aTokenPastItsOwnExpiryIsRefusedAndChangesNothing() async throws {
        try await TokenServiceTests.withService { harness, service, store in
            let (token, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            _ = try await service.upload(
                name: "iPads",
                file: TokenServiceTests.download(harness, server: 0, certificate: certificate)
            )
            let before = try await store.secrets(tokenID: token.id)
            let tokenBefore = try await store.token(named: "iPads")
            do {
                _ = try await service.upload(
                    name: "iPads",
                    file: Self.file(for: certificate, expiry: "2020-01-01T00:00:00Z")
                )
                Issue.record("an expired token was accepted")
            } catch let error as TokenError {
                #expect(error.code == .alreadyExpired)
                #expect(error.parameters["expiry"] == "2020-01-01T00:00:00Z")
                let (message, _) = MessageCatalogue.bundled.describe(error, locale: .english)
                #expect(message.contains("2020-01-01"))
            }
            for malformed in ["2027-12-07T25:61:61Z", "2027-02-30T00:00:00Z", "2027-12-07T00:00:00Z junk", "27-12-07"] {
                await #expect(throws: ServerTokenError(.expiryInvalid, reason: "")) {
                    try await service.upload(name: "iPads", file: Self.file(for: certificate, expiry: malformed))
                }
            }
            #expect(try await store.secrets(tokenID: token.id) == before)
            #expect(try await store.token(named: "iPads") == tokenBefore)
        }
    }

    @Test func aFirstUploadOfCredentialsAppleRejectsIsRefused() async throws {
        try await TokenServiceTests.withService { harness, service, store in
            let (token, certificate) = try await service.create(name: "iPads", baseURL: harness.baseURL)
            let before = try await store.secrets(tokenID: token.id)
            do {
                _ = try await service.upload(
                    name: "iPads",
                    file: Self.file(for: certificate, expiry: "2099-01-01T00:00:00Z")
                )
                Issue.record("credentials Apple does not know were stored")
            } catch let error as DEPError {
                #expect([.oauthUnauthorized, .signatureInvalid, .tokenRejected, .unauthorized].contains(error.code))
            }
            #expect(try await store.secrets(tokenID: token.id) == before, "nothing stored")
            #expect(try await store.token(named: "iPads")?.consumerKey == nil)
        }
    }
}
