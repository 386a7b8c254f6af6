public import Hummingbird
import Logging
import NIOCore

extension DEPSimulator {
    /// The simulator's routes: Apple's service at Apple's paths, the ABM page under `/abm`, the control API under
    /// `/control`, and `/healthz`.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in Response(status: .ok) }
        addAppleRoutes(to: router)
        addControlRoutes(to: router)
        addABMRoutes(to: router)
        return router
    }

    /// A Hummingbird application serving the simulator; run it (it is a ServiceLifecycle service) to listen.
    /// - Parameters:
    ///   - host: The address to bind, e.g. `127.0.0.1`.
    ///   - port: The port; 0 picks a free one.
    ///   - onRunning: Called with the bound port once the server listens.
    public func application(
        host: String,
        port: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ade-simulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
