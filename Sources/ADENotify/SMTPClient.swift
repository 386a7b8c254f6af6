import ADECore
public import Foundation
public import NIOCore
import NIOPosix
public import NIOSSL
import NIOTLS

/// Sends e-mail over SMTP with SwiftNIO: STARTTLS on the submission port (or TLS from the first byte on port 465),
/// then AUTH PLAIN or LOGIN, one message to its recipients, QUIT. No mail goes out in clear: a server that offers no
/// STARTTLS is refused (`starttls_unavailable`).
public struct SMTPClient: Sendable {
    /// Where and how to send.
    public struct Configuration: Sendable {
        public enum Security: String, Sendable, CaseIterable {
            /// Plain connection upgraded with STARTTLS before anything else (port 587).
            case startTLS = "starttls"
            /// TLS from the first byte (port 465).
            case tls
        }

        public var host: String
        public var port: Int
        public var security: Security
        /// The account; nil sends without AUTH.
        public var username: String?
        public var password: String?
        /// Certificates (PEM) trusted besides the system's, for a private certificate authority.
        public var extraTrustRoots: [NIOSSLCertificate]
        /// The name this host gives in EHLO.
        public var heloName: String
        public var timeout: TimeAmount
        /// The address to connect to instead of looking `host` up again: the one the network policy checked. TLS
        /// still verifies the certificate against `host`.
        public var connectAddress: String?

        public init(
            host: String,
            port: Int = 587,
            security: Security = .startTLS,
            username: String? = nil,
            password: String? = nil,
            extraTrustRoots: [NIOSSLCertificate] = [],
            heloName: String = "ade.invalid",
            timeout: TimeAmount = .seconds(30),
            connectAddress: String? = nil
        ) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.extraTrustRoots = extraTrustRoots
            self.heloName = heloName
            self.timeout = timeout
            self.connectAddress = connectAddress
        }
    }

    /// One message: plain text in UTF-8.
    public struct Message: Sendable, Hashable {
        public var from: String
        /// The display name of the sender (`ade`).
        public var fromName: String?
        public var to: [String]
        public var subject: String
        public var body: String

        public init(from: String, fromName: String? = nil, to: [String], subject: String, body: String) {
            self.from = from
            self.fromName = fromName
            self.to = to
            self.subject = subject
            self.body = body
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Sends `message`.
    /// - Throws: ``NotifyError``: `unreachable` (no connection, timeout), `tls_failed`, `starttls_unavailable`,
    ///   `authentication_failed`, `smtp_refused` (with the server's reply). The password is never in an error.
    public func send(_ message: Message, at date: Date = Date()) async throws {
        let tls = try makeTLSContext()
        let configuration = configuration
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let handshake: EventLoopFuture<Void>?
        do {
            (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(configuration.timeout)
                .connect(host: configuration.connectAddress ?? configuration.host, port: configuration.port) {
                    channel in
                    channel.eventLoop.makeCompletedFuture {
                        var handshake: EventLoopFuture<Void>?
                        if configuration.security == .tls {
                            handshake = try Self.startTLS(on: channel, context: tls, host: configuration.host)
                        }
                        return (
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel),
                            handshake
                        )
                    }
                }
        } catch {
            throw NotifyError(.unreachable, parameters: ["detail": "\(configuration.host):\(configuration.port)"])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await Self.finishHandshake(handshake)
                    var session = Session(replies: ReplyReader(inbound.makeAsyncIterator()), outbound: outbound)
                    try await session.converse(
                        message,
                        configuration: configuration,
                        upgrade: {
                            let wire = channel.channel
                            let started = try await wire.eventLoop.submit {
                                try Self.startTLS(on: wire, context: tls, host: configuration.host)
                            }.get()
                            try await Self.finishHandshake(started)
                        },
                        date: date
                    )
                }
            }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(configuration.timeout.nanoseconds))
                throw NotifyError(
                    .timedOut,
                    parameters: ["seconds": String(configuration.timeout.nanoseconds / 1_000_000_000)]
                )
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch let error as NotifyError {
                try? await channel.channel.close()
                throw error
            } catch let error as NIOSSLError {
                throw NotifyError(.tlsFailed, parameters: ["detail": "\(error)"])
            } catch {
                throw NotifyError(.connectionClosed)
            }
        }
    }

    /// Puts TLS in front of the pipeline (synchronously, on the channel's event loop); the future completes with the
    /// handshake.
    static func startTLS(on channel: any Channel, context: NIOSSLContext, host: String) throws -> EventLoopFuture<Void>
    {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let tls = try NIOSSLClientHandler(context: context, serverHostname: host)
        try channel.pipeline.syncOperations.addHandler(tls, position: .first)
        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise), position: .after(tls))
        return promise.futureResult
    }

    /// Waits for a TLS handshake begun by ``startTLS(on:context:host:)``, if any.
    static func finishHandshake(_ handshake: EventLoopFuture<Void>?) async throws {
        guard let handshake else { return }
        do {
            try await handshake.get()
        } catch let error as NotifyError {
            throw error
        } catch {
            throw NotifyError(.tlsFailed, parameters: ["detail": "\(error)"])
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.extraTrustRoots.isEmpty {
            tls.additionalTrustRoots = [.certificates(configuration.extraTrustRoots)]
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw NotifyError(.tlsFailed, parameters: ["detail": "\(error)"])
        }
    }
}

/// Completes a promise with the TLS handshake: success on NIOSSL's `handshakeCompleted`, failure on its error or when
/// the connection closes first.
final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>
    private var completed = false

    init(_ promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    private func complete(_ result: Result<Void, any Error>) {
        guard !completed else { return }
        completed = true
        promise.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { complete(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(
            .failure(NotifyError(.connectionClosed))
        )
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}
