public import ADECore
import ADESupport
import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The store on PostgreSQL, which any number of `ade` nodes share: postgres-nio's `PostgresClient` (its pool of
/// connections), the schema of ``PostgresSchema``, every write in one transaction.
///
/// Its life cycle: create it, run it (``run()``, a ServiceLifecycle service: the pool works only while it runs), then
/// ``migrate()`` before the first use. ``withStore(_:logger:_:)`` does all three around a body, for commands.
public final class PostgresStore: Service, Sendable {
    /// Where the database is (without its password when shown).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    /// What ``changeStamp()`` answers: moved by every notice of a commit, every commit of this store, and every
    /// answer given while no notice can arrive.
    let stamps = Atomic<UInt64>(0)
    /// Whether ``listenForChanges()`` is listening: only then may two answers of ``changeStamp()`` be equal.
    let listening = Atomic<Bool>(false)

    /// A store on the database at `location`; nothing connects until it runs.
    /// - Throws: when the TLS configuration cannot be made (`sslrootcert` unreadable).
    public init(location: PostgresLocation, logger: Logger) throws {
        self.location = location
        self.logger = logger
        do {
            client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: logger)
        } catch {
            throw StoreError(.unavailable, parameters: ["path": location.description, "detail": "sslrootcert"])
        }
    }

    /// Runs the connection pool, and listens for other nodes' commits, until the task is cancelled or the service
    /// group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                group.addTask { await self.listenForChanges() }
            }
        }
    }

    /// Opens the database at `location`, migrates it, runs `body` with the store, and closes it.
    /// - Parameters:
    ///   - limit: How long the database may take to answer at first before the store is `unavailable`.
    ///   - listening: Whether to listen for other nodes' commits (``listenForChanges()``), for a server that keeps
    ///     answers in memory; a command that reads once needs no notices.
    public static func withStore<T>(
        _ location: PostgresLocation,
        logger: Logger,
        connectingWithin limit: Duration = .seconds(10),
        listening: Bool = false,
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresStore(location: location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            if listening { group.addTask { await store.listenForChanges() } }
            defer { group.cancelAll() }
            try await store.migrate(within: limit)
            return try await body(store)
        }
    }

    /// ``migrate()``, failing as `unavailable` when the database cannot be reached within `limit` (the pool would
    /// go on trying for a minute): a command says at once that the server is down.
    public func migrate(within limit: Duration) async throws {
        guard try await withTimeLimit(limit, { try await self.migrate() }) != nil else {
            let problem = await connectionProblem().map { ": \($0)" } ?? ""
            throw StoreError(
                .unavailable,
                parameters: ["path": location.description, "detail": "no connection within \(limit)\(problem)"]
            )
        }
    }

    /// Why a connection cannot be had, from one attempt of its own: PostgreSQL's refusal (`28000 …`), a TLS or
    /// certificate failure, a refused or unreachable address. The pool only tries again, so its time limit alone
    /// would not say. Nil when the attempt connects. Nothing in it holds the password.
    func connectionProblem() async -> String? {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(),
                id: 0,
                logger: logger
            )
            try? await connection.close()
            return nil
        } catch let error as PSQLError {
            if error.serverInfo != nil { return Self.summary(error) }
            return error.underlying.map { String(describing: $0) } ?? "\(error.code)"
        } catch {
            return String(describing: error)
        }
    }

    /// Brings the schema up to date: each missing migration in its own transaction, all under one advisory lock, so
    /// that nodes starting together migrate once and the others wait, then find nothing to do.
    /// - Throws: ``StoreError`` `unavailable` when the database cannot be reached; `migration_failed` otherwise.
    public func migrate() async throws {
        try await transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied = Set<Int>()
            for try await version in try await connection.run(
                "SELECT version FROM schema_migrations",
                logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                do {
                    for statement in migration.statements {
                        try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                } catch let error as PSQLError {
                    throw StoreError(
                        .migrationFailed,
                        parameters: ["detail": "version \(migration.version): \(Self.summary(error))"]
                    )
                }
                try await connection.run(
                    "INSERT INTO schema_migrations (version) VALUES (\(migration.version))",
                    logger: logger
                )
                logger.notice("Migrated the database", metadata: ["version": "\(migration.version)"])
            }
        }
    }

    /// The schema versions applied, in order.
    public func schemaVersions() async throws -> [Int] {
        try await rows("SELECT version FROM schema_migrations ORDER BY version", as: Int.self)
    }

    // MARK: - Queries

    /// Runs `body` in one transaction on one connection of the pool, mapping a lost database to `unavailable`.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        // This node's own commit moves its stamp at once: its notice arrives a moment later.
        defer { stamps.add(1, ordering: .releasing) }
        do {
            return try await client.withConnection { connection in
                try await connection.run("BEGIN", logger: logger)
                let value: T
                do {
                    value = try await body(connection)
                } catch {
                    // A connection that closed has rolled back already; a statement written to it would never end.
                    if !connection.isClosed { _ = try? await connection.run("ROLLBACK", logger: logger) }
                    throw error
                }
                try await connection.run("COMMIT", logger: logger)
                return value
            }
        } catch {
            throw mapped(error)
        }
    }

    /// The rows of one read, each decoded as `T`.
    func rows<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> [T] {
        do {
            var values: [T] = []
            try await client.withConnection { connection in
                for try await value in try await connection.run(query, logger: logger).decode(T.self) {
                    values.append(value)
                }
            }
            return values
        } catch {
            throw mapped(error)
        }
    }

    /// A store error for what postgres-nio threw: a server's, connection's or pool's failure becomes `unavailable`
    /// with its SQLSTATE and message or the pool's error, never the query or its values; any other error (the
    /// store's own, a caller's thrown through a transaction) passes unchanged.
    func mapped(_ error: any Error) -> any Error {
        if let error = error as? PSQLError {
            return StoreError(.unavailable, parameters: ["path": location.description, "detail": Self.summary(error)])
        }
        if error is ConnectionLost {
            return StoreError(.unavailable, parameters: ["path": location.description, "detail": "connection closed"])
        }
        let type = String(reflecting: Swift.type(of: error))
        guard type.hasPrefix("PostgresNIO.") || type.hasPrefix("_ConnectionPoolModule.") else { return error }
        return StoreError(.unavailable, parameters: ["path": location.description, "detail": "\(error)"])
    }

    /// What a PostgreSQL error says without its query or values: the SQLSTATE and the server's message, or the
    /// client's error kind.
    static func summary(_ error: PSQLError) -> String {
        if let state = error.serverInfo?[.sqlState], let message = error.serverInfo?[.message] {
            return "\(state) \(message)"
        }
        return "\(error.code)"
    }

    /// Whether `error` is PostgreSQL's unique violation (`23505`).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
