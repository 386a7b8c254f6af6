public import ADECore
public import ADESupport
import Foundation
import Synchronization

/// Console users and API tokens: what `ade user …`, `ade api-token …`, the setup page and the sign-in form share.
public struct AccessService: Sendable {
    /// The longest user or API token name.
    public static let maximumNameLength = 100

    let store: any AccessStore
    let hasher: PasswordHasher
    let timeSource: any TimeSource

    public init(store: any AccessStore, hasher: PasswordHasher, timeSource: any TimeSource) {
        self.store = store
        self.hasher = hasher
        self.timeSource = timeSource
    }

    /// Hashes no password matches, one per cost, checked when the user does not exist so that timing reveals nothing.
    private static let decoys = Mutex<[UInt8: String]>([:])

    private var decoyHash: String {
        Self.decoys.withLock { decoys in
            if let hash = decoys[hasher.cost] { return hash }
            let hash = hasher.hash(AccessSecret.random())
            decoys[hasher.cost] = hash
            return hash
        }
    }

    // MARK: - Users

    /// Adds a console user.
    /// - Throws: ``AccessError`` `invalid_user_name`, `password_too_short`, `password_too_long`, `user_exists`.
    @discardableResult
    public func addUser(name: String, password: String) async throws -> ConsoleUser {
        try Self.checkName(name)
        if let problem = PasswordHasher.problem(with: password) { throw Self.passwordError(problem) }
        do {
            return try await store.createUser(name: name, passwordHash: hasher.hash(password), at: timeSource.now())
        } catch let error as StoreError where error.code == .duplicateName {
            throw AccessError(.userExists, parameters: ["name": name])
        }
    }

    /// Sets a user's password and ends their sessions.
    /// - Throws: ``AccessError`` `user_not_found`, `password_too_short`, `password_too_long`.
    public func resetPassword(name: String, password: String) async throws {
        guard let user = try await store.user(named: name) else {
            throw AccessError(.userNotFound, parameters: ["name": name])
        }
        if let problem = PasswordHasher.problem(with: password) { throw Self.passwordError(problem) }
        try await store.setPassword(userID: user.id, passwordHash: hasher.hash(password), at: timeSource.now())
    }

    /// Deletes a user and their sessions.
    /// - Throws: ``AccessError`` `user_not_found`.
    public func deleteUser(name: String) async throws {
        guard let user = try await store.user(named: name) else {
            throw AccessError(.userNotFound, parameters: ["name": name])
        }
        try await store.deleteUser(id: user.id)
    }

    /// The user a name and password sign in as, or nil. Takes bcrypt's time whether or not the user exists.
    public func authenticate(name: String, password: String) async throws -> ConsoleUser? {
        guard let user = try await store.user(named: name) else {
            _ = hasher.verify(password, hash: decoyHash)
            return nil
        }
        return hasher.verify(password, hash: user.passwordHash) ? user : nil
    }

    // MARK: - API tokens

    /// Creates an API token; its value is returned once and never stored.
    /// - Throws: ``AccessError`` `invalid_user_name`, `api_token_exists`.
    public func createAPIToken(name: String, scope: APIToken.Scope) async throws -> (token: APIToken, value: String) {
        try Self.checkName(name)
        let value = AccessSecret.newAPIToken()
        do {
            let token = try await store.createAPIToken(
                name: name,
                scope: scope,
                secretHash: AccessSecret.digest(value),
                at: timeSource.now()
            )
            return (token, value)
        } catch let error as StoreError where error.code == .duplicateName {
            throw AccessError(.apiTokenExists, parameters: ["name": name])
        }
    }

    /// Revokes an API token by name.
    /// - Throws: ``AccessError`` `api_token_not_found`.
    public func revokeAPIToken(name: String) async throws {
        guard
            let token = try await store.apiTokens().first(where: {
                $0.name.caseInsensitiveCompare(name) == .orderedSame
            })
        else {
            throw AccessError(.apiTokenNotFound, parameters: ["name": name])
        }
        try await store.deleteAPIToken(id: token.id)
    }

    // MARK: - Checks

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.count <= maximumNameLength, name == name.trimmingCharacters(in: .whitespaces),
            !name.hasHiddenCharacters
        else {
            throw AccessError(.invalidUserName, parameters: ["maximum": String(maximumNameLength)])
        }
    }

    static func passwordError(_ code: AccessError.Code) -> AccessError {
        AccessError(
            code,
            parameters: [
                "minimum": String(PasswordHasher.minimumLength), "maximum": String(PasswordHasher.maximumBytes),
            ]
        )
    }
}
