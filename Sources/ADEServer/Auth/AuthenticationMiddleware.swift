import ADECore
import ADESupport
import Foundation
import Hummingbird
import HummingbirdAuth

/// Finds who a request acts for: an `Authorization: Bearer` API token, or the session cookie of a signed-in user.
///
/// A bearer value that is no token of this server is refused at once (401, `invalid_api_token`) rather than
/// treated as anonymous, so that a script with a revoked token learns why.
///
/// API tokens found are kept in memory until the store reports a commit (``ChangeTracking``): a request with a known
/// token then needs no read, and a token revoked by `ade api-token revoke`, in whatever process, fails at once.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ADERequestContext

    let store: any AccessStore & ChangeTracking
    let timeSource: any TimeSource
    /// API tokens by their value's digest; only tokens that exist are kept.
    let apiTokens = StampedCache<String, APIToken>(capacity: 1000, lifetime: 60)

    /// How stale an API token's recorded last use may be.
    static let lastUseResolution: TimeInterval = 60

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let bearer = request.headers.bearer {
            let now = timeSource.now()
            let token = try await apiToken(digest: AccessSecret.digest(bearer.token), now: now)
            // Last use is kept to the minute: writing it on every request would queue every read behind a write.
            if token.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.lastUseResolution }) ?? true {
                try await store.touchAPIToken(id: token.id, at: now)
            }
            context.identity = .apiToken(token)
        } else if let value = request.cookies[SessionCookie.name]?.value, !value.isEmpty,
            let session = try await store.session(idHash: AccessSecret.digest(value), now: timeSource.now()),
            let user = try await store.user(id: session.userID)
        {
            context.identity = .user(user, session: session)
        }
        return try await next(request, context)
    }

    /// The API token whose value has this digest, from memory while nothing was committed since it was read.
    /// - Throws: ``APIError`` 401 `invalid_api_token` when there is none.
    private func apiToken(digest: String, now: Date) async throws -> APIToken {
        try await apiTokens.value(for: digest, stamp: store.changeStamp(), now: now) { [store] in
            guard let token = try await store.apiToken(secretHash: digest) else {
                throw APIError(.unauthorized, AccessError(.invalidAPIToken))
            }
            return token
        }
    }
}
