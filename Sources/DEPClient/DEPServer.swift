public import Foundation
public import ServerToken

/// One ABM/ASM server token as the client uses it: a name that keys its session, its credentials, and where its
/// service lives.
public struct DEPServer: Sendable, Hashable, CustomStringConvertible {
    /// Apple's production service.
    public static let appleBaseURL = URL(string: "https://mdmenrollment.apple.com")!

    /// A name unique among the tokens a client serves (sessions are cached by it).
    public var name: String
    /// The OAuth credentials decrypted from the token.
    public var credentials: OAuthCredentials
    /// The service's base URL: Apple's, or a simulator's.
    public var baseURL: URL

    /// Creates a server description.
    public init(name: String, credentials: OAuthCredentials, baseURL: URL = DEPServer.appleBaseURL) {
        self.name = name
        self.credentials = credentials
        self.baseURL = baseURL
    }

    public var description: String { "DEPServer(\(name), \(baseURL.absoluteString))" }
}
