import ADECore
import ADESupport
import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging

/// The server, wired: every route, middleware and service in one place (`ade serve`, `ade demo`, the tests).
///
/// - Parameters:
///   - configuration: Where to listen, cookie and sign-in settings, the setup link.
///   - dependencies: The store, the token service, the sync engine and the clock.
///   - logger: The server's logger; requests log under it with secrets redacted.
/// - Returns: The application, a ServiceLifecycle service; the caller runs it (with the sync engine beside it).
public func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let router = try await buildRouter(configuration: configuration, dependencies: dependencies)
    var server = HTTPServerBuilder.http1()
    if let tls = configuration.tls {
        server = try .tls(.http1(), tlsConfiguration: try TLSFiles.configuration(tls))
    }
    return Application(
        router: router,
        server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "ade"
        ),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router alone, for router-level tests.
public func buildRouter(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies
) async throws -> Router<ADERequestContext> {
    var renderer = try await ConsoleRenderer()
    renderer.demoPanel = dependencies.simulatorControl != nil
    renderer.webhooksPage = dependencies.webhooks != nil
    renderer.alertsPage = dependencies.alertChannels != nil
    let hasher = PasswordHasher(cost: configuration.passwordCost)
    let access = AccessService(store: dependencies.store, hasher: hasher, timeSource: dependencies.timeSource)
    let uploads = AttemptLimiter(
        store: dependencies.store,
        kind: .upload,
        limit: configuration.uploadAttempts,
        window: configuration.uploadWindow
    )
    let setup = SetupLink(store: dependencies.store, token: configuration.setupToken)
    try await setup.open(now: dependencies.timeSource.now())
    let router = Router(context: ADERequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: LocaleMiddleware())
    router.add(middleware: MethodMiddleware())
    HealthController(store: dependencies.store).addRoutes(to: router)
    if configuration.metricsOnMainListener {
        MetricsController(
            store: dependencies.store,
            registry: dependencies.metrics,
            timeSource: dependencies.timeSource,
            bearerToken: configuration.metricsToken,
            healthPolicy: dependencies.healthPolicy
        ).addRoutes(to: router)
    }
    let openAPI = try OpenAPIDocument.load()
    router.get("api/openapi.yaml") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: openAPI)
        )
    }
    router.add(middleware: AuthenticationMiddleware(store: dependencies.store, timeSource: dependencies.timeSource))
    APIController(
        dependencies: dependencies,
        uploads: uploads
    ).addRoutes(to: router.group("api/v1"))
    let console = router.group().add(middleware: ConsoleErrorMiddleware(renderer: renderer))
    ConsoleController(
        dependencies: dependencies,
        renderer: renderer,
        access: access,
        cookie: SessionCookie(lifetime: configuration.sessionLifetime, secure: configuration.secureCookies),
        logins: AttemptLimiter(
            store: dependencies.store,
            kind: .signIn,
            limit: configuration.loginAttempts,
            window: configuration.loginWindow
        ),
        uploads: uploads,
        setup: setup,
        signIn: SignInGuard(secure: configuration.secureCookies)
    ).addRoutes(to: console)
    if let control = dependencies.simulatorControl {
        DemoPanelController(dependencies: dependencies, renderer: renderer, controlURL: control)
            .addRoutes(to: console.group().add(middleware: ConsoleAccessMiddleware()))
    }
    return router
}

/// `/metrics` alone on an address of its own (`ade serve --metrics-listen`), for a network only Prometheus reaches.
public func buildMetricsApplication(
    host: String,
    port: Int,
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    MetricsController(
        store: dependencies.store,
        registry: dependencies.metrics,
        timeSource: dependencies.timeSource,
        bearerToken: configuration.metricsToken,
        healthPolicy: dependencies.healthPolicy
    ).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "ade-metrics"),
        logger: logger
    )
}
