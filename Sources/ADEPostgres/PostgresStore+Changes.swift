public import ADECore
import PostgresNIO
import Synchronization

extension PostgresStore: ChangeTracking {
    /// While ``listenForChanges()`` listens: a count of the commits noticed, which moves at each commit of any node
    /// (a notice arrives within milliseconds of it) and at once at this store's own. Otherwise a new stamp at every
    /// call: nothing kept in memory is reused, since any node may have committed meanwhile.
    public func changeStamp() -> UInt64 {
        if listening.load(ordering: .acquiring) {
            return stamps.load(ordering: .acquiring)
        }
        return stamps.add(1, ordering: .acquiringAndReleasing).newValue
    }

    /// Listens on one connection of the pool for the notices every commit sends (the `ade_changed` triggers of
    /// ``PostgresSchema``), counting them, until the task is cancelled. A lost connection (the server restarting)
    /// stops the listening, so that stamps are new at every call, and it starts again a second later; each time it
    /// starts, the stamp moves, since commits may have been missed meanwhile.
    ///
    /// A notice rather than a counter read at each request: reading a counter costs a round trip to the database for
    /// every answer kept in memory, which is what keeping it was to save.
    public func listenForChanges() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: PostgresSchema.changeChannel) { notices in
                        stamps.add(1, ordering: .releasing)
                        listening.store(true, ordering: .releasing)
                        defer { listening.store(false, ordering: .releasing) }
                        for try await _ in notices {
                            stamps.add(1, ordering: .releasing)
                        }
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.debug("Listening for other nodes' commits stopped", metadata: ["error": "\(mapped(error))"])
                }
            }
            listening.store(false, ordering: .releasing)
            stamps.add(1, ordering: .releasing)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
