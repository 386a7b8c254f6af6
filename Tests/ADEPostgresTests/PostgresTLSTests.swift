import ADECore
import ADEPostgres
import ADETesting
import Foundation
import Testing

/// TLS to PostgreSQL on a server that refuses connections without it (`hostnossl … reject`): a store that opens and
/// writes used TLS. The server's certificate is its own authority, for `localhost` and `127.0.0.1`.
@Suite(.timeLimit(.minutes(3)))
struct PostgresTLSTests {
    @Test func theStoreConnectsWithTLSAndChecksTheServersCertificate() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("tls")
            let url = try await onOwnThread { try PostgresTestServer.startCluster(in: folder, tls: true) }
            defer { PostgresTestServer.stopCluster(in: folder) }
            let port = try #require(URLComponents(string: url)?.port)
            let authority = folder + "/server.crt"
            // A password the server does not ask for (trust), to check that no error shows it.
            let base = "postgres://ade:n0t-shown@%@:\(port)/postgres?"
            for (index, (host, query)) in [
                ("127.0.0.1", "sslmode=require"),
                ("localhost", "sslmode=verify-full&sslrootcert=\(authority)"),
                ("127.0.0.1", "sslmode=verify-full&sslrootcert=\(authority)"),
                ("127.0.0.1", "sslmode=prefer"),
            ].enumerated() {
                let location = try PostgresLocation(url: String(format: base, host) + query, environment: [:])
                try await PostgresStore.withStore(
                    location,
                    logger: PostgresStoreTests.logger,
                    connectingWithin: PostgresTestServer.connectionLimit
                ) { store in
                    _ = try await store.createToken(
                        name: "T\(index)",
                        baseURL: URL(string: "https://mdmenrollment.apple.com")!,
                        createdAt: Date()
                    )
                    #expect(try await store.tokens().count == index + 1, "\(host) \(query)")
                }
            }
            // Without TLS the server refuses; with verify-full, a certificate no known authority signed is refused;
            // each says why.
            for (query, cause) in [("sslmode=disable", "28000"), ("sslmode=verify-full", "CERTIFICATE_VERIFY_FAILED")] {
                let location = try PostgresLocation(url: String(format: base, "localhost") + query, environment: [:])
                let error = await #expect(throws: StoreError.self, "\(query)") {
                    try await PostgresStore.withStore(
                        location,
                        logger: PostgresStoreTests.logger,
                        connectingWithin: .seconds(5)
                    ) { store in try await store.tokens() }
                }
                #expect(error?.code == .unavailable, "\(query): \(String(describing: error))")
                #expect(error?.parameters["detail"]?.contains(cause) == true, "\(query): \(String(describing: error))")
                #expect(!"\(String(describing: error))".contains("n0t-shown"), "\(query)")
            }
        }
    }
}
