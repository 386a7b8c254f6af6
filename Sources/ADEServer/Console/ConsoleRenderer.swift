import ADECore
import Foundation
import Hummingbird
import Mustache

/// Renders the console's pages: Mustache templates from the module's resources, every sentence from the catalogue
/// (`{{#t}}key{{/t}}` in a template, in the request's language), the layout's banner, breadcrumb and footer.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    /// Whether the navigation links the demo panel.
    var demoPanel = false
    /// Whether the navigation links the webhooks page.
    var webhooksPage = false
    var alertsPage = false

    init() async throws {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let style = Bundle.module.url(forResource: "Static/style", withExtension: "css")
        else {
            throw ServerError(.internal, parameters: ["detail": "the console's templates are missing"])
        }
        library = try await MustacheLibrary(directory: templates.path)
        stylesheet = ByteBuffer(bytes: try Data(contentsOf: style))
    }

    /// One crumb of the breadcrumb trail.
    struct Crumb {
        var label: String
        var href: String?
    }

    /// What every page shows around its content.
    struct Frame {
        var title: String
        var breadcrumb: [Crumb] = []
        var banner: Banner?
        var notice: String?
        var problem: String?
    }

    /// The error banner: the tokens in an error state.
    struct Banner {
        var summary: String
        /// Each token in an error state, its state's title and what that state stops (or that nothing is yet).
        var tokens: [(name: String, title: String, breaks: String)]
    }

    /// Renders `template` with `values`, inside the layout.
    func page(
        _ template: String,
        frame: Frame,
        context: ADERequestContext,
        request: Request,
        values: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let locale = context.locale
        var data = values
        data["t"] = MustacheLambda { key in
            MessageCatalogue.bundled.string(
                MessageKey(key.trimmingCharacters(in: .whitespacesAndNewlines)),
                locale: locale
            )
            .htmlEscaped
        }
        data["lang"] = MessageCatalogue.bundled.resolve(locale)
        data["title"] = frame.title
        data["breadcrumb"] = frame.breadcrumb.enumerated().map { index, crumb -> [String: Any] in
            var item: [String: Any] = ["label": crumb.label, "current": index == frame.breadcrumb.count - 1]
            if let href = crumb.href { item["href"] = href }
            return item
        }
        data["hasBreadcrumb"] = !frame.breadcrumb.isEmpty
        if let banner = frame.banner {
            data["banner"] = [
                "summary": banner.summary,
                "tokens": banner.tokens.map {
                    ["name": $0.name, "title": $0.title, "breaks": $0.breaks, "path": $0.name.pathEscaped]
                },
            ]
        }
        data["notice"] = frame.notice
        data["demoPanel"] = demoPanel
        data["webhooksPage"] = webhooksPage
        data["alertsPage"] = alertsPage
        data["problem"] = frame.problem
        if case .user(let user, let session) = context.identity {
            data["user"] = user.name
            data["csrf"] = session.csrfToken
        }
        data["back"] = request.uri.path
        // "Label: value" is "Libellé : valeur" in French: the separator is the language's.
        data["colon"] = MessageCatalogue.bundled.string(.colon, locale: locale)
        let current = MessageCatalogue.bundled.resolve(locale)
        data["languages"] = MessageCatalogue.bundled.locales.map { language in
            [
                "code": language.identifier,
                "name": MessageCatalogue.bundled.string(.languageName, locale: language),
                "selected": language.identifier == current,
            ]
        }
        let html = library.render(data, withTemplate: template) ?? ""
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

extension String {
    /// The text with HTML's special characters escaped.
    var htmlEscaped: String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// The text escaped for one segment of a URL path.
    var pathEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? self
    }
}
