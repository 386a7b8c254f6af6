import ADECore
import Synchronization

/// The one-time link that creates the first administrator: `ade serve` prints it while no user exists. It works once,
/// and never after a user exists.
final class SetupLink: Sendable {
    private let token: Mutex<String?>

    init(token: String?) {
        self.token = Mutex(token)
    }

    /// Whether the link has been used (or there never was one).
    var isSpent: Bool { token.withLock { $0 == nil } }

    /// Whether `value` is the link's token, compared in constant time.
    func accepts(_ value: String?) -> Bool {
        guard let value else { return false }
        return token.withLock { token in
            guard let token else { return false }
            let expected = Array(token.utf8)
            let given = Array(value.utf8)
            guard expected.count == given.count else { return false }
            return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// Spends the link.
    func spend() {
        token.withLock { $0 = nil }
    }
}
