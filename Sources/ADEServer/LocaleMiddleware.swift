import ADECore
import Foundation
import Hummingbird

/// Picks the language of the answer: the console's language cookie, else the best of `Accept-Language` that the
/// catalogue has, else English. Errors that carry their own answer (the API's JSON errors) are answered here, in that
/// language.
struct LocaleMiddleware: RouterMiddleware {
    typealias Context = ADERequestContext

    /// The cookie the console's language switch sets.
    static let cookieName = "ade_lang"

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.locale = Self.locale(
            cookie: request.cookies[Self.cookieName]?.value,
            acceptLanguage: request.headers[.acceptLanguage]
        )
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Answered here, with the request's language: above this middleware the context has none.
            return try error.response(from: request, context: context)
        }
    }

    /// The languages the catalogue has, read once.
    static let available = Set(MessageCatalogue.bundled.locales.map(\.identifier))

    static func locale(cookie: String?, acceptLanguage: String?) -> MessageLocale {
        if let cookie, available.contains(MessageLocale(cookie).identifier) { return MessageLocale(cookie) }
        guard let acceptLanguage else { return .english }
        // `fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5`: by weight, then order.
        let ranges = acceptLanguage.split(separator: ",").enumerated().compactMap {
            index,
            part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty, tag != "*" else { return nil }
            let weight = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, weight, index)
        }
        for (tag, weight, _) in ranges.sorted(by: { ($0.1, -$0.2) > ($1.1, -$1.2) }) where weight > 0 {
            let locale = MessageLocale(tag)
            if let match = locale.fallbacks.first(where: available.contains) { return MessageLocale(match) }
        }
        return .english
    }
}
