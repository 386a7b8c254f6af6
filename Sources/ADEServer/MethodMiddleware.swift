import ADECore
import HTTPTypes
import Hummingbird

/// Answers a method no route of `ade` takes (TRACE, CONNECT, anything unknown) with 405 and the methods it does
/// take, rather than a 404 that would say the path does not exist.
struct MethodMiddleware: RouterMiddleware {
    /// The methods `ade`'s routes answer.
    static let allowed: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete]

    func handle(
        _ request: Request,
        context: ADERequestContext,
        next: (Request, ADERequestContext) async throws -> Response
    ) async throws -> Response {
        guard Self.allowed.contains(request.method) else {
            return try APIError(
                .methodNotAllowed,
                ServerError(.methodNotAllowed, parameters: ["method": request.method.rawValue.loggable(limit: 16)]),
                headers: [.allow: Self.allowed.map(\.rawValue).joined(separator: ", ")]
            ).response(from: request, context: context)
        }
        return try await next(request, context)
    }
}
