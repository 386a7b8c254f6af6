import ADECore
import ADESQLite
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
            "The SQLite database (env ADE_DATABASE). Default: $XDG_DATA_HOME/ade/ade.sqlite, else ~/.local/share/ade/ade.sqlite."
    )
    var database: String?

    @Flag(
        name: .long,
        help: "Allow service URLs other than Apple's, for simulators and tests (env ADE_ALLOW_CUSTOM_DEP_URL=1)."
    )
    var allowCustomDepURL = false

    /// The database's path.
    var databasePath: String {
        let environment = ProcessInfo.processInfo.environment
        if let database { return database }
        if let path = environment["ADE_DATABASE"], !path.isEmpty { return path }
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/share")
        return base + "/ade/ade.sqlite"
    }

    /// The master key file: `ADE_MASTER_KEY_FILE`, else beside the database.
    var keyFilePath: String {
        MasterKeyLoader.keyFilePath(forDatabase: databasePath, environment: ProcessInfo.processInfo.environment)
    }

    var customURLsAllowed: Bool {
        allowCustomDepURL || ProcessInfo.processInfo.environment["ADE_ALLOW_CUSTOM_DEP_URL"] == "1"
    }

    /// Opens the database and checks its master key (a wrong key is refused), for commands that only read the
    /// store and never call Apple.
    func withStore<T>(_ body: (SQLiteStore) async throws -> T) async throws -> T {
        let (store, _, _) = try await openStore()
        return try await body(store)
    }

    /// Opens the database and its master key, and runs `body` with the box that seals secrets under it.
    func withSecretBox<T>(_ body: (SecretBox, SQLiteStore) async throws -> T) async throws -> T {
        let (store, key, _) = try await openStore()
        return try await body(SecretBox(key: key), store)
    }

    /// Opens the database and its master key, and runs `body` with the webhooks' service.
    func withWebhooks<T>(_ body: (WebhookService, SQLiteStore, SecretBox) async throws -> T) async throws -> T {
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
    func withAlertChannels<T>(_ body: (AlertChannelService, SQLiteStore, SecretBox) async throws -> T) async throws
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
    func withAccess<T>(_ body: (AccessService, SQLiteStore) async throws -> T) async throws -> T {
        try await withStore { store in
            try await body(AccessService(store: store, hasher: PasswordHasher(), timeSource: SystemTimeSource()), store)
        }
    }

    /// Opens the database and its master key, and runs `body` with a token service whose client uses the production
    /// transport (HTTPS proxy and extra CA from the environment).
    func withTokenService<T>(
        logger: Logger = Logger.commandLine("ade"),
        metrics: SyncMetrics? = nil,
        _ body: (TokenService, SQLiteStore, MasterKeyLoader.Source) async throws -> T
    ) async throws -> T {
        let (store, key, source) = try await openStore()
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

    private func openStore() async throws -> (SQLiteStore, MasterKey, MasterKeyLoader.Source) {
        let store = try SQLiteStore(path: databasePath)
        let (key, source) = try await MasterKeyLoader.load(
            environment: ProcessInfo.processInfo.environment,
            keyFilePath: keyFilePath,
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
        return (store, key, source)
    }
}
