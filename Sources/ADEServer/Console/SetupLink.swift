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
        token.withLock { Self.matches($0, value) }
    }

    /// Spends the link if `value` is its token, in one step: of any number of requests racing with the right token,
    /// exactly one gets `true`. The caller gives it back with ``restore(_:)`` if it then creates nobody.
    func take(_ value: String?) -> Bool {
        token.withLock { token in
            guard Self.matches(token, value) else { return false }
            token = nil
            return true
        }
    }

    /// Makes a taken link usable again (the form was refused before any user was created).
    func restore(_ value: String) {
        token.withLock { token in
            if token == nil { token = value }
        }
    }

    private static func matches(_ token: String?, _ value: String?) -> Bool {
        guard let token, let value else { return false }
        let expected = Array(token.utf8)
        let given = Array(value.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
