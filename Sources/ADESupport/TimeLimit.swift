/// Runs `body` for at most `limit`: its result, or nil once the limit passed first (`body` is then cancelled).
///
/// For work that may wait without end on something outside the process — a pool waiting for a database that is
/// down — when the caller must answer within its own time (a command's start, a load balancer's probe).
public func withTimeLimit<T: Sendable>(
    _ limit: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
