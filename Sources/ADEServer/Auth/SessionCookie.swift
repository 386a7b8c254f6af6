import ADECore
import Foundation
import Hummingbird

/// The console's session cookie: a random value whose SHA-256 names the stored ``ConsoleSession``.
public struct SessionCookie: Sendable {
    /// The cookie's name.
    public static let name = "ade_session"

    let lifetime: TimeInterval
    let secure: Bool

    /// Starts a session for a user: stores it and returns the cookie to set.
    func start(for user: ConsoleUser, store: any AccessStore, now: Date) async throws -> Cookie {
        let value = AccessSecret.random()
        try await store.createSession(
            ConsoleSession(
                idHash: AccessSecret.digest(value),
                userID: user.id,
                csrfToken: AccessSecret.random(),
                createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime)
            )
        )
        return cookie(value, maxAge: Int(lifetime))
    }

    /// A cookie that removes the session cookie from the browser.
    func cleared() -> Cookie {
        cookie("", maxAge: 0)
    }

    private func cookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: Self.name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
