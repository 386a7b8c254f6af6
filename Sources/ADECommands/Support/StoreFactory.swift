import ADECore
import ADEPostgres
import ADESQLite
import Foundation
import Logging

/// Where every command and `ade serve` get their store: a SQLite file, or a PostgreSQL database when `--database` /
/// `ADE_DATABASE` is a `postgres://` URL. The one place that knows both stores.
enum StoreFactory {
    /// A database `ade` can open.
    enum Location: Sendable {
        case sqlite(path: String)
        case postgres(PostgresLocation)

        /// Reads `--database` / `ADE_DATABASE`: a `postgres://` URL, else a file path.
        /// - Throws: ``StoreError`` `database_url_invalid` for a PostgreSQL URL that cannot be used.
        init(_ text: String, environment: [String: String]) throws {
            if PostgresLocation.isURL(text) {
                self = .postgres(try PostgresLocation(url: text, environment: environment))
            } else {
                self = .sqlite(path: text)
            }
        }

        /// The master key file: `ADE_MASTER_KEY_FILE`, else `<database>.key` beside a SQLite file; nil for
        /// PostgreSQL without `ADE_MASTER_KEY_FILE`, whose nodes must name the key they share.
        func keyFilePath(environment: [String: String]) -> String? {
            switch self {
            case .sqlite(let path): MasterKeyLoader.keyFilePath(forDatabase: path, environment: environment)
            case .postgres:
                environment[MasterKeyLoader.fileVariable].flatMap { $0.isEmpty ? nil : $0 }
            }
        }

        /// The database as messages name it (never a password).
        var description: String {
            switch self {
            case .sqlite(let path): path
            case .postgres(let location): location.description
            }
        }
    }

    /// Opens the store at `location` (migrated), runs `body` with it, and closes it.
    /// - Parameter serving: For `ade serve`, which keeps answers in memory: the store notices other nodes' commits.
    static func withStore<T>(
        _ location: Location,
        logger: Logger,
        serving: Bool = false,
        _ body: (any ADEStore) async throws -> T
    ) async throws -> T {
        switch location {
        case .sqlite(let path):
            return try await body(try SQLiteStore(path: path))
        case .postgres(let location):
            return try await PostgresStore.withStore(location, logger: logger, listening: serving) { store in
                try await body(store)
            }
        }
    }
}
