public import Foundation

/// A signed-in console session. The cookie holds a random value; the store keeps only its SHA-256, so a copy of the
/// database opens no session.
public struct ConsoleSession: Sendable, Hashable {
    /// SHA-256 of the cookie's value, in lowercase hex.
    public var idHash: String
    public var userID: Int64
    /// The session's anti-forgery token, sent back by every form.
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(idHash: String, userID: Int64, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
