import ADECore
import Foundation
import Hummingbird
import Logging

/// One log line per request: method, path (never the query, which may carry a setup token), status and time. No
/// header is ever logged, so authorization headers, cookies and tokens stay out of the logs at every level.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context: context, status: error.status.code, since: start)
            throw error
        } catch {
            log(request, context: context, status: 500, since: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(
            level: status >= 500 ? .error : .info,
            "Request",
            metadata: [
                "http.method": "\(request.method.rawValue)",
                "http.path": "\(request.uri.path.loggable(limit: 256))",
                "http.status": "\(status)",
                "http.duration_ms": "\(String(format: "%.1f", milliseconds))",
            ]
        )
    }
}
