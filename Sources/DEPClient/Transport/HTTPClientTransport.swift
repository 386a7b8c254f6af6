import ADESupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production ``DEPTransport``, on async-http-client: HTTPS with the system's trust roots plus an optional
/// extra CA file, an optional HTTPS proxy honouring `NO_PROXY`, and transport failures classified as
/// ``DEPError/Code/unreachable`` (by stage: `dns`, `connect`, `tls`, `proxy`) or ``DEPError/Code/timeout``.
///
/// Call ``shutdown()`` before the process ends.
public final class HTTPClientTransport: DEPTransport {
    /// Settings of the transport.
    public struct Configuration: Sendable {
        /// The proxy for calls to Apple, if any.
        public var proxy: ProxySettings?
        /// A PEM file of extra certificate authorities to trust (a TLS-inspecting proxy's, a simulator's).
        public var extraCAFile: String?
        /// The time allowed to open a connection.
        public var connectTimeout: Duration
        /// The largest answer read; fetch pages of 1000 devices are about 1 MB.
        public var maximumResponseSize: Int

        /// Creates settings.
        public init(
            proxy: ProxySettings? = nil,
            extraCAFile: String? = nil,
            connectTimeout: Duration = .seconds(10),
            maximumResponseSize: Int = 32 << 20
        ) {
            self.proxy = proxy
            self.extraCAFile = extraCAFile
            self.connectTimeout = connectTimeout
            self.maximumResponseSize = maximumResponseSize
        }

        /// Settings from the environment: `HTTPS_PROXY`, `NO_PROXY`.
        public static func fromEnvironment(_ environment: [String: String], extraCAFile: String? = nil) -> Self {
            Configuration(proxy: ProxySettings(environment: environment), extraCAFile: extraCAFile)
        }
    }

    private let configuration: Configuration
    private let direct: HTTPClient
    private let proxied: HTTPClient?

    /// Creates a transport.
    /// - Throws: when the extra CA file cannot be read.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.extraCAFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
        }
        let timeout = HTTPClient.Configuration.Timeout(
            connect: .nanoseconds(Int64(configuration.connectTimeout.timeInterval * 1e9))
        )
        direct = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: tls, timeout: timeout)
        )
        proxied = configuration.proxy.map { proxy in
            let authorization = proxy.username.map {
                HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
            }
            return HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: HTTPClient.Configuration(
                    tlsConfiguration: tls,
                    timeout: timeout,
                    proxy: .server(host: proxy.host, port: proxy.port, authorization: authorization)
                )
            )
        }
    }

    /// Closes every connection.
    public func shutdown() async throws {
        try await direct.shutdown()
        try await proxied?.shutdown()
    }

    public func send(_ request: DEPHTTPRequest, timeout: Duration) async throws -> DEPHTTPResponse {
        let host = request.url.host ?? ""
        let client = (configuration.proxy?.applies(to: host) ?? false) ? (proxied ?? direct) : direct
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let endpoint = request.url.path
        do {
            let amount = TimeAmount.nanoseconds(Int64(timeout.timeInterval * 1e9))
            let response = try await client.execute(outgoing, timeout: amount)
            var body = try await response.body.collect(upTo: configuration.maximumResponseSize)
            return DEPHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? []
            )
        } catch let error as DEPError {
            throw error
        } catch is NIOTooManyBytesError {
            throw DEPError(
                .invalidResponse,
                endpoint: endpoint,
                reason: "answer larger than \(configuration.maximumResponseSize) bytes"
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, endpoint: endpoint, proxied: client === proxied)
        }
    }

    /// Maps a transport failure to `timeout` or `unreachable` with its stage.
    static func classify(_ error: any Error, endpoint: String, proxied: Bool) -> DEPError {
        let detail = String(describing: error)
        func unreachable(_ stage: String) -> DEPError {
            DEPError(.unreachable, endpoint: endpoint, parameters: ["stage": stage], reason: detail)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .writeTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout:
                return DEPError(.timeout, endpoint: endpoint, reason: detail)
            case .connectTimeout:
                return DEPError(.timeout, endpoint: endpoint, parameters: ["stage": "connect"], reason: detail)
            case .tlsHandshakeTimeout:
                return unreachable("tls")
            case .proxyAuthenticationRequired, .invalidProxyResponse, .httpProxyHandshakeTimeout,
                .invalidProxyConfiguration:
                return unreachable("proxy")
            case .remoteConnectionClosed:
                return unreachable("connect")
            default:
                break
            }
        }
        if error is NIOSSLError || detail.contains("SSL") || detail.contains("TLS") || detail.contains("certificate") {
            return unreachable("tls")
        }
        if let error = error as? NIOConnectionError {
            if proxied { return unreachable("proxy") }
            return unreachable(error.dnsAError != nil || error.dnsAAAAError != nil ? "dns" : "connect")
        }
        if error is SocketAddressError || detail.contains("nodename nor servname") || detail.contains("getaddrinfo") {
            return unreachable("dns")
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return DEPError(.timeout, endpoint: endpoint, parameters: ["stage": "connect"], reason: detail)
        }
        return unreachable(proxied ? "proxy" : "connect")
    }
}
