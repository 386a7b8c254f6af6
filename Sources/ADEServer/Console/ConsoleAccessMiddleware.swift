import ADECore
import Hummingbird

/// The console's gate: pages need a signed-in user; anyone else is sent to the sign-in page, which brings them back.
struct ConsoleAccessMiddleware: RouterMiddleware {
    typealias Context = ADERequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard case .user = context.identity else {
            guard request.method == .get else { throw AccessError(.unauthenticated) }
            let back = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            return Response.redirect(to: "/login?next=\(back.queryEscaped)", type: .normal)
        }
        return try await next(request, context)
    }
}
