public import ADESupport
import Foundation
public import Logging

/// A client of Apple's device enrollment web service (ADE, formerly DEP), for any number of server tokens.
///
/// Each call names its ``DEPServer``. The client signs `GET /session` with OAuth 1.0a, caches one session per
/// server, re-authenticates once when Apple answers 401 (or 403 `FORBIDDEN`), adopts a rotated
/// `X-ADM-Auth-Session` from any answer, classifies every failure into a ``DEPError`` code, and retries transient
/// failures under its ``RetryPolicy``. Time and sleeping come from the caller's ``TimeSource``.
public struct DEPClient: Sendable {
    /// Settings shared by every call.
    public struct Configuration: Sendable {
        /// Sent on every request; Apple refuses a missing or generic one.
        public var userAgent: String
        /// `X-Server-Protocol-Version`. 10 makes assign report `THROTTLED` with `retry_after_seconds` and enables
        /// Get Replacement Details.
        public var protocolVersion: Int
        /// The time one HTTP exchange may take.
        public var requestTimeout: Duration
        /// When transient failures are tried again.
        public var retry: RetryPolicy
        /// How far the local clock may differ from Apple's `Date` before a refused signature is blamed on the clock.
        public var clockSkewTolerance: Duration

        /// The default `User-Agent`.
        public static let defaultUserAgent = "ade-dep-client/0.1 (Automated Device Enrollment; Swift)"

        /// Creates a configuration.
        public init(
            userAgent: String = Configuration.defaultUserAgent,
            protocolVersion: Int = 10,
            requestTimeout: Duration = .seconds(60),
            retry: RetryPolicy = .default,
            clockSkewTolerance: Duration = .seconds(300)
        ) {
            self.userAgent = userAgent
            self.protocolVersion = protocolVersion
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.clockSkewTolerance = clockSkewTolerance
        }
    }

    /// The settings.
    public let configuration: Configuration
    let transport: any DEPTransport
    let timeSource: any TimeSource
    let logger: Logger
    let sessions = DEPSessionCache()
    let random: @Sendable () -> Double

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: Shared settings.
    ///   - transport: How requests travel (``HTTPClientTransport`` in production).
    ///   - timeSource: The clock for OAuth timestamps, skew checks, backoff and `Retry-After`.
    ///   - logger: Where the client logs; it never logs credentials, session tokens or bodies.
    ///   - random: Values in `0...1` for backoff jitter.
    public init(
        configuration: Configuration = Configuration(),
        transport: any DEPTransport,
        timeSource: any TimeSource = SystemTimeSource(),
        logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.configuration = configuration
        self.transport = transport
        self.timeSource = timeSource
        self.logger = logger
        self.random = random
    }

    /// Forgets every cached session (the next call authenticates again).
    public func resetSessions() async {
        await sessions.removeAll()
    }
}
