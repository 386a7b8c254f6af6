import ADECore
import Hummingbird
import Logging

/// Answers the console's errors as pages: a refused form, a spent setup link, a database that cannot be read. Anything
/// uncatalogued is logged and shown as an internal error that says nothing of its cause.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = ADERequestContext

    let renderer: ConsoleRenderer

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw error
        } catch {
            let answer = APIError.from(error)
            guard let answer = answer as? APIError else { throw answer }
            if answer.status == .internalServerError {
                context.logger.error("Console request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            let (message, remedy) = APIError.describe(answer.error, locale: context.locale)
            var response = renderer.page(
                "error",
                frame: .init(title: context.text(.errorTitle)),
                context: context,
                request: request,
                values: ["heading": context.text(.errorTitle), "message": message, "remedy": remedy],
                status: answer.status
            )
            for field in answer.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
            return response
        }
    }
}
