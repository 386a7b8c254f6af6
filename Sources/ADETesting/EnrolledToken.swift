public import ADECore
import ADESupport
public import DEPClient
import DEPSimulator
import Foundation
public import Logging
import ServerToken

extension SimulatorHarness {
    /// A token service on `store`, talking to this simulator, with custom URLs allowed.
    public func tokenService(
        store: any ADEStore,
        client: DEPClient,
        key: MasterKey = .generate(),
        logger: Logger = SimulatorHarness.quietLogger
    ) -> TokenService {
        TokenService(
            store: store,
            box: SecretBox(key: key),
            client: client,
            timeSource: SystemTimeSource(),
            allowCustomURL: true,
            logger: logger
        )
    }

    /// The whole real path for a token of simulated server `index`: create (key pair), upload the certificate to the
    /// simulated ABM, download the `.p7m`, upload it.
    public func enroll(_ name: String, server index: Int = 0, with service: TokenService) async throws
        -> EnrollmentToken
    {
        let (_, certificate) = try await service.create(name: name, baseURL: baseURL)
        let uuid = simulator.servers[index].uuid
        try simulator.uploadCertificate(pem: certificate.pemRepresentation, server: uuid)
        let file = Array(try simulator.downloadToken(server: uuid).contents.utf8)
        return try await service.upload(name: name, file: file).token
    }
}

extension SimulatorHarness {
    /// Defines a profile named `Default` at the simulator for a token and makes it the token's default for every
    /// device, as `ade profile create` and `ade profile default` do: a token with devices and no default profile is
    /// in the `no_default_profile` state, so tests of healthy tokens give them one.
    @discardableResult
    public func defineDefaultProfile(for token: EnrollmentToken, store: any ADEStore, tokens: TokenService)
        async throws -> StoredProfile
    {
        let profile = Profile(
            profileName: "Default",
            url: "https://mdm.example.com/enroll",
            isSupervised: true,
            isMandatory: true
        )
        let server = try await tokens.server(for: token)
        let response = try await tokens.client.defineProfile(server, profile)
        let now = Date()
        var stored = try await store.createProfile(tokenID: token.id, name: "Default", profile: profile, at: now)
        stored.profileUUID = response.profileUUID
        stored.version = 1
        stored.definedAt = now
        try await store.updateProfile(stored)
        try await store.setDefaultProfile(tokenID: token.id, family: nil, profileID: stored.id)
        return stored
    }
}
