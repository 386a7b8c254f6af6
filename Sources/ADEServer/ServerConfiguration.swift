public import Foundation

/// How `ade serve` (and `ade demo`) run the server.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0: any free port).
    public var port: Int
    /// The URL admins reach the console at (behind a proxy, the proxy's), for links the server prints.
    public var publicBaseURL: URL?
    /// Whether cookies carry `Secure`: on when the server or its proxy speaks HTTPS.
    public var secureCookies: Bool
    /// How long a console session lasts.
    public var sessionLifetime: TimeInterval
    /// bcrypt's cost for new password hashes (12 in production; tests use less).
    public var passwordCost: UInt8
    /// Failed sign-ins allowed per user name and address within ``loginWindow`` before sign-in is refused.
    public var loginAttempts: Int
    public var loginWindow: TimeInterval
    /// Uploads of `.p7m` files allowed per principal within ``uploadWindow``.
    public var uploadAttempts: Int
    public var uploadWindow: TimeInterval
    /// A one-time value that lets the first admin be created while no user exists (printed as a setup link).
    public var setupToken: String?
    /// A bearer token `/metrics` requires (nil: open, like `/healthz`).
    public var metricsToken: String?
    /// Whether `/metrics` is served on the main address (false when it has one of its own, `--metrics-listen`).
    public var metricsOnMainListener: Bool
    /// PEM files of the certificate chain and private key when the server speaks HTTPS itself (usually a proxy
    /// does).
    public var tls: (certificateChain: String, privateKey: String)?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicBaseURL: URL? = nil,
        secureCookies: Bool? = nil,
        sessionLifetime: TimeInterval = 12 * 3600,
        passwordCost: UInt8 = 12,
        loginAttempts: Int = 5,
        loginWindow: TimeInterval = 15 * 60,
        uploadAttempts: Int = 10,
        uploadWindow: TimeInterval = 15 * 60,
        setupToken: String? = nil,
        metricsToken: String? = nil,
        metricsOnMainListener: Bool = true,
        tls: (certificateChain: String, privateKey: String)? = nil
    ) {
        self.metricsToken = metricsToken
        self.metricsOnMainListener = metricsOnMainListener
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.secureCookies = secureCookies ?? (publicBaseURL?.scheme == "https")
        self.sessionLifetime = sessionLifetime
        self.passwordCost = passwordCost
        self.loginAttempts = loginAttempts
        self.loginWindow = loginWindow
        self.uploadAttempts = uploadAttempts
        self.uploadWindow = uploadWindow
        self.setupToken = setupToken
        self.tls = tls
        if tls != nil, secureCookies == nil { self.secureCookies = true }
    }

    /// The base of links the server prints: ``publicBaseURL``, or the listen address.
    public var baseURL: String {
        if let publicBaseURL { return publicBaseURL.absoluteString.trimmingSuffix("/") }
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "\(tls == nil ? "http" : "https")://\(shownHost):\(port)"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
