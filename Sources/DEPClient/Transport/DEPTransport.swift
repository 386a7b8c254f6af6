public import Foundation

/// One HTTP exchange with Apple's service, independent of the HTTP library.
public protocol DEPTransport: Sendable {
    /// Sends a request and returns Apple's answer, whatever its status.
    /// - Throws: ``DEPError`` with ``DEPError/Code/unreachable`` (DNS, TCP, TLS, proxy) or
    ///   ``DEPError/Code/timeout`` when no answer arrives.
    func send(_ request: DEPHTTPRequest, timeout: Duration) async throws -> DEPHTTPResponse
}

/// An HTTP request to Apple's service.
public struct DEPHTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// An HTTP answer from Apple's service.
public struct DEPHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body as text (lossy for bytes that are not UTF-8).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
