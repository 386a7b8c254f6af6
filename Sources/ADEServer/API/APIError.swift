public import ADECore
import Foundation
public import Hummingbird

/// An error answered as JSON: `{"error": {"code", "message", "remedy"}}`, the message and remedy from the
/// catalogue in the request's language. The code is stable; the texts are for people.
public struct APIError: Error, HTTPResponseError {
    public let status: HTTPResponse.Status
    /// The catalogued error behind it.
    public let error: any CataloguedError
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields
    /// Every problem of the request when there are several (each bad field of a profile), the first being `error`.
    public var problems: [any CataloguedError]

    public init(
        _ status: HTTPResponse.Status,
        _ error: any CataloguedError,
        headers: HTTPFields = [:],
        problems: [any CataloguedError] = []
    ) {
        self.status = status
        self.error = error
        self.headers = headers
        self.problems = problems
        if status == .unauthorized, self.headers[.wwwAuthenticate] == nil {
            self.headers[.wwwAuthenticate] = #"Bearer realm="ade""#
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var remedy: String
            /// The field at fault, when the error names one.
            var field: String?
            var problems: [Detail]?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let locale = (context as? ADERequestContext)?.locale ?? .english
        func detail(_ error: any CataloguedError) -> Body.Detail {
            let (message, remedy) = Self.describe(error, locale: locale)
            let field = (error as? ProfileError)?.parameters["field"]
            return Body.Detail(code: error.catalogueCode, message: message, remedy: remedy, field: field)
        }
        var top = detail(error)
        if problems.count > 1 { top.problems = problems.map(detail) }
        let body = Body(error: top)
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: status,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try ADERequestContext.encoder.encode(body)))
        )
    }

    /// What went wrong and what to do, in one locale.
    static func describe(_ error: any CataloguedError, locale: MessageLocale) -> (message: String, remedy: String) {
        (
            MessageCatalogue.bundled.string(error.messageKey, locale: locale, error.catalogueArguments),
            MessageCatalogue.bundled.string(error.remedyKey, locale: locale, error.catalogueArguments)
        )
    }

    /// The API's answer to an error from the domain: its status by kind; anything uncatalogued is a 500 that says
    /// nothing of its cause.
    public static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as APIError: return error
        case let error as HTTPError: return error
        case let error as AccessError: return APIError(status(of: error.code), error)
        case let error as StoreError:
            switch error.code {
            case .notFound: return APIError(.notFound, error)
            case .duplicateName, .duplicateServer, .leaseLost: return APIError(.conflict, error)
            default: return APIError(.serviceUnavailable, error)
            }
        case let error as TokenError:
            switch error.code {
            case .differentServer, .serverAlreadyHeld: return APIError(.conflict, error)
            default: return APIError(.badRequest, error)
            }
        case let error as ProfileError:
            switch error.code {
            case .notFound: return APIError(.notFound, error)
            case .exists, .notDefined: return APIError(.conflict, error)
            default: return APIError(.unprocessableContent, error, problems: [error] + error.others)
            }
        case let error as WebhookError:
            switch error.code {
            case .notFound: return APIError(.notFound, error)
            case .exists: return APIError(.conflict, error)
            default: return APIError(.unprocessableContent, error)
            }
        case let error as any CataloguedError: return APIError(.badRequest, error)
        default: return APIError(.internalServerError, ServerError(.internal))
        }
    }

    static func status(of code: AccessError.Code) -> HTTPResponse.Status {
        switch code {
        case .unauthenticated, .invalidAPIToken, .invalidCredentials: .unauthorized
        case .readOnlyToken, .csrfRejected, .setupClosed: .forbidden
        case .tooManyAttempts: .tooManyRequests
        case .userExists, .apiTokenExists: .conflict
        case .userNotFound, .apiTokenNotFound: .notFound
        default: .badRequest
        }
    }
}
