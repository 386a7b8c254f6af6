import Foundation

/// Runs blocking work (a child process, `psql`) on a thread of its own and resumes with its result: an async test's
/// wait must not hold one of the few threads that also run every test and the servers in this process.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
