/// The one error type of `DEPSimulator`'s own API (the ABM side and the control API); answers of the simulated
/// Apple service are HTTP errors, not this.
public struct DEPSimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String {
            case unknownServer = "unknown_server"
            case noCertificate = "no_certificate"
            case invalidCertificate = "invalid_certificate"
            case encryptionFailed = "encryption_failed"
            case invalidRequest = "invalid_request"
        }
        private let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }

        /// No MDM server has that UUID.
        public static let unknownServer = Code(backing: .unknownServer)
        /// A token was asked for before a public key certificate was uploaded.
        public static let noCertificate = Code(backing: .noCertificate)
        /// The uploaded file is not a PEM certificate with an RSA key.
        public static let invalidCertificate = Code(backing: .invalidCertificate)
        /// The token could not be encrypted to the certificate.
        public static let encryptionFailed = Code(backing: .encryptionFailed)
        /// A control request's body is not what the endpoint takes.
        public static let invalidRequest = Code(backing: .invalidRequest)
    }

    public let code: Code
    /// What a person should know (English; the simulator is a developer tool).
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "DEPSimulatorError.\(code): \(message)" }
}
