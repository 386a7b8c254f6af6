/// The one error type of the `ServerToken` module.
///
/// Every failure has a stable ``code`` that scripts, metrics and the message catalogue key on; two errors are equal
/// when their codes are. ``parameters`` carries the few non-secret values a person needs to act (an algorithm name,
/// a field name); ``reason`` is an English note for developers. Neither ever holds key material, a token's
/// contents or a credential, and ``description`` shows the code alone.
public struct ServerTokenError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable error code. Its ``rawValue`` never changes once released.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case emptyInput = "empty_input"
            case tooLarge = "too_large"
            case notSMIME = "not_smime"
            case malformedCMS = "malformed_cms"
            case notEnvelopedData = "not_enveloped_data"
            case certificateInsteadOfToken = "certificate_instead_of_token"
            case privateKeyInsteadOfToken = "private_key_instead_of_token"
            case noMatchingRecipient = "no_matching_recipient"
            case unsupportedAlgorithm = "unsupported_algorithm"
            case decryptionFailed = "decryption_failed"
            case payloadMalformed = "payload_malformed"
            case fieldMissing = "field_missing"
            case fieldInvalid = "field_invalid"
            case expiryInvalid = "expiry_invalid"
            case invalidPrivateKey = "invalid_private_key"
            case invalidCertificate = "invalid_certificate"
            case unsupportedKey = "unsupported_key"
            case keyCertificateMismatch = "key_certificate_mismatch"
            case invalidParameter = "invalid_parameter"
            case cryptoFailure = "crypto_failure"
        }

        fileprivate let backing: Backing

        /// The code as written in logs, JSON error bodies and catalogue keys, e.g. `no_matching_recipient`.
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// The file holds nothing (or only white space).
        public static let emptyInput = Code(backing: .emptyInput)
        /// The file is far larger than any server token; it was refused before parsing.
        public static let tooLarge = Code(backing: .tooLarge)
        /// The file is neither S/MIME text, PEM armour nor DER/BER: not a server token at all.
        public static let notSMIME = Code(backing: .notSMIME)
        /// The file has the shape of a token but its CMS structure is damaged or truncated.
        public static let malformedCMS = Code(backing: .malformedCMS)
        /// A well-formed CMS message of another type (signed data, plain data …), not an encrypted token.
        public static let notEnvelopedData = Code(backing: .notEnvelopedData)
        /// An X.509 certificate was given where the server token was expected.
        public static let certificateInsteadOfToken = Code(backing: .certificateInsteadOfToken)
        /// A private key was given where the server token was expected.
        public static let privateKeyInsteadOfToken = Code(backing: .privateKeyInsteadOfToken)
        /// The token was not encrypted to this key (or to this certificate).
        public static let noMatchingRecipient = Code(backing: .noMatchingRecipient)
        /// The token uses an algorithm `ade` does not support; ``ServerTokenError/parameters`` names it.
        public static let unsupportedAlgorithm = Code(backing: .unsupportedAlgorithm)
        /// The key unwrapped, but the content did not decrypt: the token is corrupted.
        public static let decryptionFailed = Code(backing: .decryptionFailed)
        /// The decrypted payload is not the MIME + JSON that ABM writes.
        public static let payloadMalformed = Code(backing: .payloadMalformed)
        /// A required JSON field of the payload is absent or empty; ``ServerTokenError/parameters`` names it.
        public static let fieldMissing = Code(backing: .fieldMissing)
        /// A JSON field of the payload has an unusable value; ``ServerTokenError/parameters`` names it.
        public static let fieldInvalid = Code(backing: .fieldInvalid)
        /// The payload's `access_token_expiry` is not an RFC 3339 date and time; ``ServerTokenError/parameters``
        /// holds it as `value` (a date, never a secret).
        public static let expiryInvalid = Code(backing: .expiryInvalid)
        /// The private key file cannot be read as an RSA private key.
        public static let invalidPrivateKey = Code(backing: .invalidPrivateKey)
        /// The certificate file cannot be read as an X.509 certificate.
        public static let invalidCertificate = Code(backing: .invalidCertificate)
        /// The key is not an RSA key of at least 2048 bits, which Apple's token format requires.
        public static let unsupportedKey = Code(backing: .unsupportedKey)
        /// The certificate does not hold the public half of the private key.
        public static let keyCertificateMismatch = Code(backing: .keyCertificateMismatch)
        /// A caller-supplied parameter (common name, validity) is out of range.
        public static let invalidParameter = Code(backing: .invalidParameter)
        /// The cryptographic library failed in a way no input explains (entropy, allocation).
        public static let cryptoFailure = Code(backing: .cryptoFailure)
    }

    /// The stable code.
    public let code: Code
    /// Non-secret values a message may show, keyed by placeholder name (`algorithm`, `field`, `limit` …).
    public let parameters: [String: String]
    /// An English note for developers; never shown alone to a person, never holding a secret.
    public let reason: String
    /// Where the error was raised.
    public let file: String
    /// Where the error was raised.
    public let line: UInt

    /// Creates an error.
    /// - Parameters:
    ///   - code: The stable code.
    ///   - parameters: Non-secret values for the message (never key material or credentials).
    ///   - reason: A developer note (never key material or credentials).
    public init(
        _ code: Code,
        parameters: [String: String] = [:],
        reason: String,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.parameters = parameters
        self.reason = reason
        self.file = file
        self.line = line
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { "ServerTokenError.\(code)" }

    public var debugDescription: String {
        let parameters = self.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let suffix = parameters.isEmpty ? "" : " [\(parameters.joined(separator: ", "))]"
        return "ServerTokenError.\(code): \(reason)\(suffix) (\(file):\(line))"
    }
}

extension ServerTokenError.Code {
    /// Lets `catch ServerTokenError.Code.noMatchingRecipient` match a thrown ``ServerTokenError``.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? ServerTokenError)?.code == code
    }
}
