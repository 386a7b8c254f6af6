import ADECore
import ADEServer
import ADESupport
import ArgumentParser
import DEPClient
import Foundation
import Logging

/// Where `ade` keeps its data, and what it allows: options of every command that opens the database.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The SQLite database file, or a postgres:// URL that several nodes share (env ADE_DATABASE). Default: $XDG_DATA_HOME/ade/ade.sqlite, else ~/.local/share/ade/ade.sqlite."
    )
    var database: String?

    @Flag(
        name: .long,
        help: "Allow service URLs other than Apple's, for simulators and tests (env ADE_ALLOW_CUSTOM_DEP_URL=1)."
    )
    var allowCustomDepURL = false

    /// The database as given: a SQLite file's path or a PostgreSQL URL.
    var databasePath: String {
        let environment = ProcessInfo.processInfo.environment
        if let database { return database }
        if let path = environment["ADE_DATABASE"], !path.isEmpty { return path }
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/share")
        return base + "/ade/ade.sqlite"
    }

    /// The database: a SQLite file, or PostgreSQL for a `postgres://` URL.
    /// - Throws: ``StoreError`` `database_url_invalid`.
    func location() throws -> StoreFactory.Location {
        try StoreFactory.Location(databasePath, environment: ProcessInfo.processInfo.environment)
    }

    /// The master key file: `ADE_MASTER_KEY_FILE`, else beside a SQLite database; nil for PostgreSQL whose key
    /// comes from `ADE_MASTER_KEY` alone.
    /// - Throws: ``SecretError`` `master_key_not_named` for PostgreSQL without `ADE_MASTER_KEY_FILE` or
    ///   `ADE_MASTER_KEY`.
    func keyFilePath() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        let location = try location()
        if let path = location.keyFilePath(environment: environment) { return path }
        guard let key = environment[MasterKeyLoader.environmentVariable], !key.isEmpty else {
            throw SecretError(.masterKeyNotNamed, parameters: ["database": location.description])
        }
        return nil
    }

    var customURLsAllowed: Bool {
        allowCustomDepURL || ProcessInfo.processInfo.environment["ADE_ALLOW_CUSTOM_DEP_URL"] == "1"
    }

    /// Opens the database and checks its master key (a wrong key is refused), for commands that only read the
    /// store and never call Apple.
    func withStore<T>(_ body: (any ADEStore) async throws -> T) async throws -> T {
        try await withOpenStore { store, _, _ in try await body(store) }
    }

    /// Opens the database and its master key, and runs `body` with the box that seals secrets under it.
    func withSecretBox<T>(_ body: (SecretBox, any ADEStore) async throws -> T) async throws -> T {
        try await withOpenStore { store, key, _ in try await body(SecretBox(key: key), store) }
    }

    /// Opens the database and its master key, and runs `body` with the webhooks' service.
    func withWebhooks<T>(_ body: (WebhookService, any ADEStore, SecretBox) async throws -> T) async throws -> T {
        try await withSecretBox { box, store in
            let service = WebhookService(
                store: store,
                box: box,
                timeSource: SystemTimeSource(),
                logger: Logger.commandLine("ade.webhook")
            )
            return try await body(service, store, box)
        }
    }

    /// Opens the database and its master key, and runs `body` with the alert channels' service.
    func withAlertChannels<T>(_ body: (AlertChannelService, any ADEStore, SecretBox) async throws -> T) async throws
        -> T
    {
        try await withSecretBox { box, store in
            let service = AlertChannelService(
                store: store,
                box: box,
                timeSource: SystemTimeSource(),
                logger: Logger.commandLine("ade.alert")
            )
            return try await body(service, store, box)
        }
    }

    /// Opens the database and checks its master key, and runs `body` with the users' and API tokens' service.
    func withAccess<T>(_ body: (AccessService, any ADEStore) async throws -> T) async throws -> T {
        try await withStore { store in
            try await body(AccessService(store: store, hasher: PasswordHasher(), timeSource: SystemTimeSource()), store)
        }
    }

    /// Opens the database and its master key, and runs `body` with a token service whose client uses the production
    /// transport (HTTPS proxy and extra CA from the environment).
    func withTokenService<T>(
        logger: Logger = Logger.commandLine("ade"),
        metrics: SyncMetrics? = nil,
        serving: Bool = false,
        _ body: (TokenService, any ADEStore, MasterKeyLoader.Source) async throws -> T
    ) async throws -> T {
        try await withOpenStore(logger: logger, serving: serving) { store, key, source in
            try await withTokenService(store: store, key: key, source: source, logger: logger, metrics: metrics, body)
        }
    }

    private func withTokenService<T>(
        store: any ADEStore,
        key: MasterKey,
        source: MasterKeyLoader.Source,
        logger: Logger,
        metrics: SyncMetrics?,
        _ body: (TokenService, any ADEStore, MasterKeyLoader.Source) async throws -> T
    ) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let transport = try HTTPClientTransport(
            configuration: .fromEnvironment(environment, extraCAFile: environment["ADE_EXTRA_CA_FILE"])
        )
        let service = TokenService(
            store: store,
            box: SecretBox(key: key),
            client: DEPClient(
                transport: metrics.map { MeteredTransport(transport, metrics: $0) } ?? transport,
                logger: logger
            ),
            timeSource: SystemTimeSource(),
            allowCustomURL: customURLsAllowed,
            logger: logger
        )
        do {
            let result = try await body(service, store, source)
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    /// Opens the database (a SQLite file or PostgreSQL, from ``StoreFactory``) and its master key, checked against
    /// the database's (a wrong key is refused), and runs `body` with them.
    func withOpenStore<T>(
        logger: Logger = Logger.commandLine("ade"),
        serving: Bool = false,
        _ body: (any ADEStore, MasterKey, MasterKeyLoader.Source) async throws -> T
    ) async throws -> T {
        let location = try location()
        let keyFile = try keyFilePath()
        return try await StoreFactory.withStore(location, logger: logger, serving: serving) { store in
            let (key, source) = try await MasterKeyLoader.load(
                environment: ProcessInfo.processInfo.environment,
                keyFilePath: keyFile,
                store: store
            )
            if case .file(let path) = source, SecureFile.isOpenToOthers(path) {
                Console.current.note(
                    MessageCatalogue.bundled.string(
                        .keyFileExposed,
                        locale: .fromEnvironment(ProcessInfo.processInfo.environment),
                        ["path": .string(path)]
                    )
                )
            }
            return try await body(store, key, source)
        }
    }
}
