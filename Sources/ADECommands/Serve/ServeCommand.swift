import ADECore
import ADENotify
import ADEServer
import ADESupport
import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `ade serve`: the production server — web console, `/api/v1`, health endpoints — and the sync engine, until
/// SIGTERM or SIGINT. Every option also reads an `ADE_*` environment variable.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server: web console, API and the sync engine.",
        discussion: """
            Environment: ADE_LISTEN, ADE_PUBLIC_URL, ADE_TLS_CERTIFICATE, ADE_TLS_KEY, ADE_LOG_LEVEL, \
            ADE_MAX_CONCURRENT_SYNCS, ADE_NO_SYNC=1, ADE_ASSIGNMENT_COOLDOWN_HOURS, ADE_ASSIGNMENT_FAILURE_LIMIT, ADE_METRICS_TOKEN, ADE_METRICS_LISTEN, ADE_DATABASE, ADE_MASTER_KEY, ADE_MASTER_KEY_FILE, ADE_ALLOW_CUSTOM_DEP_URL=1, \
            ADE_EXTRA_CA_FILE, HTTPS_PROXY and NO_PROXY. While no user exists, a one-time setup link to create the \
            first administrator is printed at start. SIGTERM or SIGINT stop it gracefully: a sync finishes its page.
            """
    )

    @Option(name: .long, help: "HOST:PORT to listen on (env ADE_LISTEN). Default 127.0.0.1:8080.") var listen: String?
    @Option(name: .long, help: "The URL admins reach the server at, behind a proxy (env ADE_PUBLIC_URL).")
    var publicURL: String?
    @Option(name: .long, help: "PEM certificate chain, to serve HTTPS directly (env ADE_TLS_CERTIFICATE).")
    var tlsCertificate: String?
    @Option(name: .long, help: "PEM private key of --tls-certificate (env ADE_TLS_KEY).") var tlsKey: String?
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env ADE_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .long, help: "Tokens synced at the same time (env ADE_MAX_CONCURRENT_SYNCS). Default 4.")
    var maxConcurrentSyncs: Int?
    @Flag(name: .long, help: "Serve without running the sync engine (env ADE_NO_SYNC=1).") var noSync = false
    @Option(name: .long, help: "A bearer token that /metrics requires (env ADE_METRICS_TOKEN).") var metricsToken:
        String?
    @Option(name: .long, help: "HOST:PORT to serve /metrics on instead of the main address (env ADE_METRICS_LISTEN).")
    var metricsListen: String?
    @Option(
        name: .long,
        help:
            "Hours before a device Apple answered FAILED is tried again (env ADE_ASSIGNMENT_COOLDOWN_HOURS). Default 24."
    )
    var assignmentCooldownHours: Int?
    @Option(
        name: .long,
        help: "FAILED answers after which a device needs attention (env ADE_ASSIGNMENT_FAILURE_LIMIT). Default 3."
    )
    var assignmentFailureLimit: Int?
    @OptionGroup var health: HealthPolicyOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        let environment = ProcessInfo.processInfo.environment
        try await reportingErrors(locale: locale) {
            let configuration = try serverConfiguration(environment)
            let level = try Self.level(logLevel ?? environment["ADE_LOG_LEVEL"] ?? "info")
            var logger = Logger(label: "ade") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = level
            let sync = !(noSync || environment["ADE_NO_SYNC"] == "1")
            let concurrency = try maxConcurrentSyncs ?? Self.integer(environment["ADE_MAX_CONCURRENT_SYNCS"]) ?? 4
            let policy = try assignmentPolicy(environment)
            let healthPolicy = try health.policy(environment)
            let registry = PrometheusCollectorRegistry()
            let metrics = SyncMetrics(factory: PrometheusMetricsFactory(registry: registry))
            let metricsAddress = try (metricsListen ?? environment["ADE_METRICS_LISTEN"]).map(Self.address)
            try await storeOptions.withTokenService(logger: logger, metrics: metrics, serving: true) {
                service,
                store,
                _ in
                let keyFile = try storeOptions.keyFilePath()
                var withSetup = configuration
                if try await store.users().isEmpty {
                    withSetup.setupToken = AccessSecret.random()
                }
                let configuration = withSetup
                // This node's name: the holder of the leases it takes and its entry in `ade nodes`.
                let holder = TokenSyncer.Holder.current()
                let boundAddress = Mutex<String?>(nil)
                let scheduler =
                    sync
                    ? SyncScheduler(
                        store: store,
                        syncer: TokenSyncer(
                            store: store,
                            tokens: service,
                            client: service.client,
                            timeSource: SystemTimeSource(),
                            configuration: TokenSyncer.Configuration(health: healthPolicy),
                            metrics: metrics,
                            assigner: ProfileAssigner(
                                store: store,
                                client: service.client,
                                timeSource: SystemTimeSource(),
                                policy: policy,
                                logger: logger
                            ),
                            logger: logger
                        ),
                        timeSource: SystemTimeSource(),
                        configuration: SyncScheduler.Configuration(maximumConcurrentSyncs: max(1, concurrency)),
                        holder: holder,
                        logger: logger
                    ) : nil
                // The outbox's events to the webhooks added with `ade webhook add`, the API or the console.
                let (webhooks, alertChannels, delivery) = WebhookDeliveryService.serving(
                    store: store,
                    box: service.secretBox,
                    consoleURL: configuration.publicBaseURL,
                    healthPolicy: healthPolicy,
                    logger: logger
                )
                let dependencies = ServerDependencies(
                    store: store,
                    tokens: service,
                    scheduler: scheduler,
                    timeSource: SystemTimeSource(),
                    metrics: registry,
                    assignmentPolicy: policy,
                    webhooks: webhooks,
                    testWebhook: delivery.testChannel,
                    alertChannels: alertChannels,
                    healthPolicy: healthPolicy
                )
                let setup = configuration.setupToken
                let application = try await buildApplication(
                    configuration: configuration,
                    dependencies: dependencies,
                    logger: logger
                ) { port in
                    var shown = configuration
                    shown.port = port
                    boundAddress.withLock { $0 = Self.nodeAddress(configuration, port: port) }
                    let catalogue = MessageCatalogue.bundled
                    Console.current.line(
                        catalogue.string(.serveListening, locale: locale, ["url": .string(shown.baseURL)])
                    )
                    if let setup {
                        Console.current.line(
                            catalogue.string(
                                .serveSetupLink,
                                locale: locale,
                                ["url": .string("\(shown.baseURL)/setup?token=\(setup)")]
                            )
                        )
                    }
                }
                var services: [any Service] = [application]
                if let scheduler { services.append(scheduler) }
                services.append(
                    NodeHeartbeat(
                        store: store,
                        id: holder.name,
                        address: { boundAddress.withLock { $0 } },
                        version: ADE.version,
                        timeSource: SystemTimeSource(),
                        logger: logger
                    )
                )
                // Every token's state, re-evaluated each minute: expiry steps, stalls and fixes no run records.
                services.append(
                    HealthMonitor(
                        store: store,
                        timeSource: SystemTimeSource(),
                        configuration: HealthMonitor.Configuration(policy: healthPolicy),
                        logger: logger
                    )
                )
                services.append(delivery)
                // `ade key rotate` beside this server: the new key is taken from the key file once it is the
                // database's.
                services.append(
                    MasterKeyWatcher(
                        store: store,
                        box: service.secretBox,
                        load: {
                            guard
                                let (key, _) = try MasterKeyLoader.current(
                                    environment: environment,
                                    keyFilePath: keyFile
                                )
                            else {
                                throw SecretError(
                                    .masterKeyMissing,
                                    parameters: ["path": keyFile ?? MasterKeyLoader.fileVariable]
                                )
                            }
                            return key
                        },
                        timeSource: SystemTimeSource(),
                        logger: logger
                    )
                )
                if let (host, port) = metricsAddress {
                    services.append(
                        buildMetricsApplication(
                            host: host,
                            port: port,
                            configuration: configuration,
                            dependencies: dependencies,
                            logger: logger
                        )
                    )
                }
                let group = ServiceGroup(
                    configuration: .init(
                        services: services.map { .init(service: $0) },
                        gracefulShutdownSignals: [.sigterm, .sigint],
                        logger: logger
                    )
                )
                try await CommandError.serving(listen ?? environment["ADE_LISTEN"] ?? "127.0.0.1:8080") {
                    try await group.run()
                }
            }
        }
    }

    /// The server's configuration from the options and the environment.
    func serverConfiguration(_ environment: [String: String]) throws -> ServerConfiguration {
        let listen = self.listen ?? environment["ADE_LISTEN"] ?? "127.0.0.1:8080"
        let (host, port) = try Self.address(listen)
        var publicURL: URL?
        if let text = self.publicURL ?? environment["ADE_PUBLIC_URL"], !text.isEmpty {
            publicURL = try parseServiceURL(text)
        }
        let certificate = tlsCertificate ?? environment["ADE_TLS_CERTIFICATE"]
        let key = tlsKey ?? environment["ADE_TLS_KEY"]
        var tls: (certificateChain: String, privateKey: String)?
        switch (certificate, key) {
        case (let certificate?, let key?): tls = (certificate, key)
        case (nil, nil): tls = nil
        default: throw CommandError(.tlsIncomplete, parameters: [:])
        }
        let metricsToken = self.metricsToken ?? environment["ADE_METRICS_TOKEN"]
        let separateMetrics = (metricsListen ?? environment["ADE_METRICS_LISTEN"]).map { !$0.isEmpty } ?? false
        return ServerConfiguration(
            host: host,
            port: port,
            publicBaseURL: publicURL,
            metricsToken: metricsToken?.isEmpty == false ? metricsToken : nil,
            metricsOnMainListener: !separateMetrics,
            tls: tls
        )
    }

    /// Where this node serves, as `ade nodes` shows it: its own address (every node behind one proxy shares the
    /// public URL), with the host's name when it listens on every address.
    static func nodeAddress(_ configuration: ServerConfiguration, port: Int) -> String {
        let host =
            configuration.host == "0.0.0.0" || configuration.host == "::"
            ? ProcessInfo.processInfo.hostName : configuration.host
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(configuration.tls == nil ? "http" : "https")://\(shown):\(port)"
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every address).
    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw CommandError(.listenInvalid, parameters: ["value": text])
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    static func level(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    /// A whole number from the environment variable `name`, at least `minimum`.
    static func integer(_ text: String?, name: String = "ADE_MAX_CONCURRENT_SYNCS", minimum: Int = 1) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw ValidationError("\(name) must be a whole number of at least \(minimum)")
        }
        return value
    }

    /// The assigner's pacing from `--assignment-cooldown-hours` and `--assignment-failure-limit` (or the environment).
    func assignmentPolicy(_ environment: [String: String]) throws -> AssignmentPolicy {
        let hours =
            try assignmentCooldownHours
            ?? Self.integer(environment["ADE_ASSIGNMENT_COOLDOWN_HOURS"], name: "ADE_ASSIGNMENT_COOLDOWN_HOURS") ?? 24
        let limit =
            try assignmentFailureLimit
            ?? Self.integer(environment["ADE_ASSIGNMENT_FAILURE_LIMIT"], name: "ADE_ASSIGNMENT_FAILURE_LIMIT") ?? 3
        guard hours >= 1 else { throw ValidationError("--assignment-cooldown-hours must be at least 1") }
        guard limit >= 1 else { throw ValidationError("--assignment-failure-limit must be at least 1") }
        return AssignmentPolicy(failureCooldown: TimeInterval(hours) * 3600, failureLimit: limit)
    }
}
