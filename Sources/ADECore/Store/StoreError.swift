/// The one error type of the stores.
public struct StoreError: Error, Sendable, CodedError {
    public static let subsystem = "store"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case duplicateName = "duplicate_name"
            case duplicateServer = "duplicate_server"
            case notFound = "not_found"
            case unavailable
            case migrationFailed = "migration_failed"
            case leaseLost = "lease_lost"
            case masterKeyChanged = "master_key_changed"
            case databaseURLInvalid = "database_url_invalid"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// A token of that name exists (``StoreError/parameters`` `name`).
        public static let duplicateName = Code(backing: .duplicateName)
        /// Another token holds that MDM server (`name`: the other token).
        public static let duplicateServer = Code(backing: .duplicateServer)
        /// No such token.
        public static let notFound = Code(backing: .notFound)
        /// The database cannot be opened, read or written (`path`, `detail`).
        public static let unavailable = Code(backing: .unavailable)
        /// The database's schema could not be brought up to date (`detail`).
        public static let migrationFailed = Code(backing: .migrationFailed)
        /// A sync's lease on a token passed to another holder (expired while the sync was stalled); the page was
        /// not written (`token`).
        public static let leaseLost = Code(backing: .leaseLost)
        /// Secrets sealed with a master key that is no longer the database's (`ade key rotate` ran meanwhile):
        /// nothing was written.
        public static let masterKeyChanged = Code(backing: .masterKeyChanged)
        /// A PostgreSQL URL that cannot be used (`url` without its password, `field`: the part that is wrong,
        /// `value`).
        public static let databaseURLInvalid = Code(backing: .databaseURLInvalid)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

}
