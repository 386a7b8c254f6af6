import HummingbirdBcrypt

/// Hashes and checks console passwords with bcrypt.
public struct PasswordHasher: Sendable {
    /// The shortest password accepted.
    public static let minimumLength = 12
    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut.
    public static let maximumBytes = 72

    /// bcrypt's cost (log2 of its rounds).
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    /// The bcrypt hash of a password.
    public func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether a password matches a hash.
    public func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// Why a password is refused, or nil when it is acceptable.
    public static func problem(with password: String) -> AccessError.Code? {
        if password.count < minimumLength { return .passwordTooShort }
        if password.utf8.count > maximumBytes { return .passwordTooLong }
        return nil
    }
}
