import ADECore
import Foundation

/// The one-time link that creates the first administrator: `ade serve` prints it while no user exists. Each node
/// opens its own link in the store, so a link printed by one node works on every node; the first used closes them
/// all, and none works after a user exists. The store keeps the token's digest (the database alone does not give the
/// link) and compares digests, so the comparison's time says nothing of the token.
struct SetupLink: Sendable {
    let store: any SetupLinkStore
    /// This node's link token, if it printed one.
    let token: String?

    /// Opens this node's link in the store.
    func open(now: Date) async throws {
        guard let token else { return }
        try await store.openSetupLink(digest: AccessSecret.digest(token), at: now)
    }

    /// Whether some link of any node is still open.
    func isOpen() async throws -> Bool {
        try await store.isSetupLinkOpen(digest: nil)
    }

    /// Whether `value` is an open link's token.
    func accepts(_ value: String?) async throws -> Bool {
        guard let value else { return false }
        return try await store.isSetupLinkOpen(digest: AccessSecret.digest(value))
    }

    /// Closes every link if `value` is an open link's token, in one step: of any number of requests racing with the
    /// right token, on any nodes, exactly one gets `true`. The caller gives it back with ``restore(_:now:)`` if it
    /// then creates nobody.
    func take(_ value: String?) async throws -> Bool {
        guard let value else { return false }
        return try await store.closeSetupLinks(digest: AccessSecret.digest(value))
    }

    /// Opens a taken link again (the form was refused before any user was created).
    func restore(_ value: String, now: Date) async throws {
        try await store.openSetupLink(digest: AccessSecret.digest(value), at: now)
    }
}
