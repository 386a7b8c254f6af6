import ADECore
import ADESupport
import Hummingbird
import Logging

/// `/healthz` (the process answers) and `/readyz` (it can read its database), without authentication, for load
/// balancers and orchestrators. Neither says anything about tokens.
struct HealthController {
    let store: any SecretStore
    /// How long the database may take to answer before the node says it is not ready: a database that is down
    /// makes a pool wait for a connection, and a load balancer must hear "no" within its own timeout.
    var limit: Duration = .seconds(2)

    func addRoutes(to router: Router<ADERequestContext>) {
        router.get("healthz") { _, _ in Self.plain(.ok, "ok\n") }
        router.get("readyz") { _, context in
            do {
                try await readsItsDatabase()
                return Self.plain(.ok, "ready\n")
            } catch {
                context.logger.warning("Not ready: the database cannot be read", metadata: ["error": "\(error)"])
                return Self.plain(.serviceUnavailable, "database unavailable\n")
            }
        }
    }

    /// Reads the database once, within ``limit``.
    /// - Throws: the store's error, or `CancellationError` when the limit passed first.
    func readsItsDatabase() async throws {
        let store = self.store
        guard try await withTimeLimit(limit, { _ = try await store.keyCheckValue() }) != nil else {
            throw CancellationError()
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
