/// The one error type of the sync engine's own refusals (Apple's answers stay ``DEPError``s).
public struct SyncError: Error, Sendable, CodedError {
    public static let subsystem = "sync"

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        fileprivate enum Backing: String, CaseIterable {
            case leaseHeld = "lease_held"
            case tooManyPages = "too_many_pages"
            case sameCursor = "same_cursor"
        }
        fileprivate let backing: Backing
        public var rawValue: String { backing.rawValue }
        public var description: String { backing.rawValue }
        public static var allCases: [Code] { Backing.allCases.map(Code.init(backing:)) }

        /// Another process syncs the token now (`token`, `holder`, `until`).
        public static let leaseHeld = Code(backing: .leaseHeld)
        /// A run reached its page bound before Apple said it was done (`token`, `pages`).
        public static let tooManyPages = Code(backing: .tooManyPages)
        /// Apple sent back the cursor it was given while saying more devices follow (its same-cursor fault): paging
        /// stopped there, and the run is incomplete (`token`, `pages`, `devices`).
        public static let sameCursor = Code(backing: .sameCursor)
    }

    public let code: Code
    public let parameters: [String: String]

    public init(_ code: Code, parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

}
