import Logging
import PostgresNIO

extension PostgresConnection {
    /// `query(_:logger:)`, refused at once on a connection that has closed.
    ///
    /// postgres-nio 1.33 loses a statement written to a connection whose server went away a moment before (its
    /// channel handlers are gone, so nothing ever answers the statement's promise), and the caller waits for ever:
    /// a sync cut by a PostgreSQL restart would hold its place and its lease until the process ends. Every statement
    /// of the store goes through here, and a transaction never sends `ROLLBACK` or `COMMIT` on a closed connection.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionLost() }
        return try await self.query(query, logger: logger)
    }
}

/// A statement not sent, since its connection had closed (``PostgresStore`` reports it as `unavailable`).
struct ConnectionLost: Error {}
