import ADECore
import Crypto
import Foundation
import Hummingbird

/// The sign-in form's anti-forgery token, before any session exists: a random value set as a cookie scoped to
/// `/login` and repeated in the form (double submit). Another site can post a form to `/login` but can neither read
/// nor set the cookie, so it cannot sign a browser in to an account of its choosing (login CSRF).
struct SignInGuard: Sendable {
    /// The cookie's name.
    static let name = "ade_signin"
    /// How long a sign-in page stays usable.
    static let lifetime = 3600

    let secure: Bool

    /// A new token: the cookie to set and the value for the form's `csrf` field.
    func issue() -> (cookie: Cookie, field: String) {
        let value = AccessSecret.random()
        return (
            Cookie(
                name: Self.name,
                value: value,
                maxAge: Self.lifetime,
                path: "/login",
                secure: secure,
                httpOnly: true,
                sameSite: .strict
            ),
            value
        )
    }

    /// Whether the form's field matches the request's cookie (compared in constant time).
    func accepts(_ field: String?, from request: Request) -> Bool {
        guard let field, !field.isEmpty, let cookie = request.cookies[Self.name]?.value, !cookie.isEmpty else {
            return false
        }
        return Data(SHA256.hash(data: Data(field.utf8))) == Data(SHA256.hash(data: Data(cookie.utf8)))
    }
}
