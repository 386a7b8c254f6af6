import Crypto
import Foundation
import ServerToken

/// Session tokens (`X-ADM-Auth-Session`), one per server token, kept in memory.
///
/// Concurrent callers that find no session wait for one authentication instead of each starting their own (Apple
/// may not support parallel sessions for one token). A session is tied to the credentials it was made with: new
/// credentials for the same server (a renewal) start a new session.
actor DEPSessionCache {
    private struct Entry {
        var fingerprint: String
        var token: String
    }

    private var entries: [String: Entry] = [:]
    private var inFlight: [String: [CheckedContinuation<String, any Error>]] = [:]

    /// The session for a server, authenticating when there is none.
    func session(
        for server: DEPServer,
        authenticate: @Sendable () async throws -> String
    ) async throws -> String {
        let fingerprint = Self.fingerprint(server)
        if let entry = entries[server.name], entry.fingerprint == fingerprint {
            return entry.token
        }
        if inFlight[server.name] != nil {
            return try await withCheckedThrowingContinuation { continuation in
                inFlight[server.name, default: []].append(continuation)
            }
        }
        inFlight[server.name] = []
        do {
            let token = try await authenticate()
            entries[server.name] = Entry(fingerprint: fingerprint, token: token)
            for waiter in inFlight.removeValue(forKey: server.name) ?? [] { waiter.resume(returning: token) }
            return token
        } catch {
            for waiter in inFlight.removeValue(forKey: server.name) ?? [] { waiter.resume(throwing: error) }
            throw error
        }
    }

    /// Adopts a session token Apple rotated in a response header.
    func adopt(_ token: String, for server: DEPServer) {
        entries[server.name] = Entry(fingerprint: Self.fingerprint(server), token: token)
    }

    /// Forgets a server's session, if it is still `token` (another caller may already have replaced it).
    func invalidate(_ token: String, for server: DEPServer) {
        if entries[server.name]?.token == token {
            entries[server.name] = nil
        }
    }

    /// Forgets every session.
    func removeAll() {
        entries.removeAll()
    }

    /// Identifies credentials without keeping them.
    private static func fingerprint(_ server: DEPServer) -> String {
        let material = "\(server.credentials.consumerKey)\n\(server.credentials.accessToken)\n\(server.baseURL)"
        return Data(SHA256.hash(data: Data(material.utf8))).base64EncodedString()
    }
}
