import ADECore
import Hummingbird
import Logging

/// `/healthz` (the process answers) and `/readyz` (it can read its database), without authentication, for load
/// balancers and orchestrators. Neither says anything about tokens.
struct HealthController {
    let store: any SecretStore

    func addRoutes(to router: Router<ADERequestContext>) {
        router.get("healthz") { _, _ in Self.plain(.ok, "ok\n") }
        router.get("readyz") { _, context in
            do {
                _ = try await store.keyCheckValue()
                return Self.plain(.ok, "ready\n")
            } catch {
                context.logger.warning("Not ready: the database cannot be read", metadata: ["error": "\(error)"])
                return Self.plain(.serviceUnavailable, "database unavailable\n")
            }
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
