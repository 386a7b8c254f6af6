public import Foundation

/// A bearer token for `/api/v1`: a 256-bit random value shown once when it is created; only its SHA-256 is kept.
public struct APIToken: Sendable, Hashable, Identifiable {
    /// What a token may do.
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
        /// Reads only (`GET`).
        case read
        /// Reads and writes.
        case write
    }

    /// The store's identifier.
    public var id: Int64
    /// The admin's label for the token, unique (case-insensitive).
    public var name: String
    public var scope: Scope
    /// SHA-256 of the token's value, in lowercase hex.
    public var secretHash: String
    public var createdAt: Date
    /// When a request last presented it.
    public var lastUsedAt: Date?

    public init(id: Int64, name: String, scope: Scope, secretHash: String, createdAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
