import ADECore
import HTTPTypes
import Hummingbird
import HummingbirdAuth

/// `/api/v1`'s gate: a principal is required; a change (any method but GET and HEAD) needs a `write` API token, or,
/// from a console session, the session's anti-forgery token in `X-CSRF-Token`.
struct APIAccessMiddleware: RouterMiddleware {
    typealias Context = ADERequestContext

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let principal = context.identity else {
            throw APIError(.unauthorized, AccessError(.unauthenticated))
        }
        if request.method != .get, request.method != .head {
            switch principal {
            case .apiToken(let token) where token.scope != .write:
                throw APIError(.forbidden, AccessError(.readOnlyToken))
            case .user(_, let session) where request.headers[Self.csrfHeader] != session.csrfToken:
                throw APIError(.forbidden, AccessError(.csrfRejected))
            default:
                break
            }
        }
        var response = try await next(request, context)
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }
}
