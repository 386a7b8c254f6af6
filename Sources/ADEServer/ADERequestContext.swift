public import ADECore
public import Foundation
public import Hummingbird
public import HummingbirdAuth
import NIOCore

/// The request context of every route: the authenticated principal, the language to answer in, and the peer.
public struct ADERequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request acts for, once authenticated.
    public var identity: Principal?
    /// The language of the answer (`Accept-Language`, or the console's language cookie).
    public var locale: MessageLocale
    /// The peer's address, for sign-in throttling (the proxy's, behind one).
    public var peer: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.locale = .english
        self.peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// JSON with ISO 8601 dates and sorted keys, as every `/api/v1` answer (the models name their snake_case keys).
    public var responseEncoder: JSONEncoder { Self.encoder }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A path parameter, percent-decoded (`Library%20Carts` is the token `Library Carts`).
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// A catalogue message in the request's language.
    func text(_ key: MessageKey, _ arguments: [String: MessageArgument] = [:]) -> String {
        MessageCatalogue.bundled.string(key, locale: locale, arguments)
    }
}
