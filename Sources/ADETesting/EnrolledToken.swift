public import ADECore
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
