public import ADECore

/// The one error type of deliveries: why an attempt did not reach its receiver. Its text goes into the delivery
/// log, which never holds the URL.
public struct NotifyError: Error, Sendable, CodedError {
    public static let subsystem = "notify"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case addressRefused = "address_refused"
            case unresolved
            case httpStatus = "http_status"
            case unreachable
            case urlInvalid = "url_invalid"
            case smtpRefused = "smtp_refused"
            case starttlsUnavailable = "starttls_unavailable"
            case tlsFailed = "tls_failed"
            case authenticationFailed = "authentication_failed"
            case timedOut = "timed_out"
            case connectionClosed = "connection_closed"
            case protocolError = "protocol_error"
            case addressInvalid = "address_invalid"
            case caFileUnreadable = "ca_file_unreadable"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// The host resolves to a loopback, link-local or private address and the endpoint does not allow it.
        public static let addressRefused = Code(backing: .addressRefused)
        /// The host name does not resolve.
        public static let unresolved = Code(backing: .unresolved)
        /// The receiver answered with a status other than 2xx (`status`).
        public static let httpStatus = Code(backing: .httpStatus)
        /// No answer: connection refused, reset, TLS failure or timeout (`detail`).
        public static let unreachable = Code(backing: .unreachable)
        /// The stored URL is not an http(s) URL with a host.
        public static let urlInvalid = Code(backing: .urlInvalid)
        /// The mail server refused a command (`detail`: its reply, for example `550 5.1.1 No such user`).
        public static let smtpRefused = Code(backing: .smtpRefused)
        /// The mail server does not offer STARTTLS, and `ade` sends no mail in clear.
        public static let starttlsUnavailable = Code(backing: .starttlsUnavailable)
        /// The TLS handshake with the mail server failed (`detail`: certificate or protocol).
        public static let tlsFailed = Code(backing: .tlsFailed)
        /// The mail server refused the user name and password (`detail`: its reply).
        public static let authenticationFailed = Code(backing: .authenticationFailed)
        /// No answer within the time allowed (`seconds`).
        public static let timedOut = Code(backing: .timedOut)
        /// The server closed the connection before the message was sent.
        public static let connectionClosed = Code(backing: .connectionClosed)
        /// The server's answer was not SMTP, or it spoke out of turn.
        public static let protocolError = Code(backing: .protocolError)
        /// A sender or recipient that is not an e-mail address (`address`).
        public static let addressInvalid = Code(backing: .addressInvalid)
        /// The extra CA file cannot be read (`path`).
        public static let caFileUnreadable = Code(backing: .caFileUnreadable)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

    /// The error as the delivery log keeps it: `code`, or `code: value` with its one parameter (a status, a host, a
    /// number of seconds, an address, a path), never a secret.
    public var logText: String {
        guard let value = parameters.sorted(by: { $0.key < $1.key }).first?.value else { return code.rawValue }
        return "\(code.rawValue): \(value)"
    }
}
