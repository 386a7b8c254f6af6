/// The one error type of secret handling: the master key and what it encrypts.
public struct SecretError: Error, Sendable, CodedError {
    public static let subsystem = "secret"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case invalidMasterKey = "invalid_master_key"
            case wrongMasterKey = "wrong_master_key"
            case sealedDataCorrupt = "sealed_data_corrupt"
            case unsupportedVersion = "unsupported_version"
            case masterKeyMissing = "master_key_missing"
            case keyFileUnwritable = "key_file_unwritable"
            case masterKeyNotNamed = "master_key_not_named"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// `ADE_MASTER_KEY` or the key file is not base64 of exactly 32 bytes; ``SecretError/parameters`` says why.
        public static let invalidMasterKey = Code(backing: .invalidMasterKey)
        /// The key does not match the database's key-check value: it is not the key the secrets were encrypted with.
        public static let wrongMasterKey = Code(backing: .wrongMasterKey)
        /// Encrypted data was altered or belongs to another record.
        public static let sealedDataCorrupt = Code(backing: .sealedDataCorrupt)
        /// Encrypted data of a format this version of ade does not know.
        public static let unsupportedVersion = Code(backing: .unsupportedVersion)
        /// The database holds secrets, but neither `ADE_MASTER_KEY` nor its key file gives the key (`path`).
        public static let masterKeyMissing = Code(backing: .masterKeyMissing)
        /// The key file for a new database cannot be written (`path`).
        public static let keyFileUnwritable = Code(backing: .keyFileUnwritable)
        /// A PostgreSQL database, which nodes share, without `ADE_MASTER_KEY` or `ADE_MASTER_KEY_FILE` (`database`):
        /// no key file is made up beside it.
        public static let masterKeyNotNamed = Code(backing: .masterKeyNotNamed)
    }

    public let code: Code
    /// Non-secret values for the message (`problem`, `bytes`).
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

}
