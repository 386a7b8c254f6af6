public import Foundation

/// A person who signs in to the web console. Their password is kept only as a bcrypt hash.
public struct ConsoleUser: Sendable, Hashable, Identifiable {
    /// The store's identifier.
    public var id: Int64
    /// The sign-in name, unique (case-insensitive).
    public var name: String
    /// The password's bcrypt hash (never shown).
    public var passwordHash: String
    public var createdAt: Date
    /// When the password was last set (creation or reset).
    public var passwordChangedAt: Date

    public init(id: Int64, name: String, passwordHash: String, createdAt: Date, passwordChangedAt: Date) {
        self.id = id
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt
    }
}
