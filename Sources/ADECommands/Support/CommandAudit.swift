import ADECore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log's entries for changes made from the command line: the actor is the operating-system user who ran
/// the command (`os:NAME`).
enum CommandAudit {
    /// `os:` and the login name of the process's user (its uid when it has no name).
    static var actor: String {
        let uid = getuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            return "os:" + String(cString: name)
        }
        return "os:\(uid)"
    }

    /// Appends an entry for a change this command made.
    static func record(
        _ store: any AuditStore,
        _ action: String,
        _ target: String,
        before: [String: String]? = nil,
        after: [String: String]? = nil
    ) async throws {
        _ = try await store.appendAudit(
            AuditEntry(
                at: Date(),
                actor: actor,
                source: .cli,
                action: action,
                target: target,
                before: before,
                after: after
            )
        )
    }
}
