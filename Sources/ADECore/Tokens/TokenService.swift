public import ADESupport
public import DEPClient
public import Foundation
public import Logging
public import ServerToken

/// The life cycle of enrollment program tokens: create (key pair and certificate for ABM), upload, renew, import,
/// new certificate, delete. Secrets are sealed with the ``SecretBox`` before they reach the store.
public struct TokenService: Sendable {
    /// The longest token name.
    public static let maximumNameLength = 100

    let store: any TokenStore & SecretStore
    let box: SecretBox

    /// The master key's box, for the services that seal their own secrets with it (webhook URLs and secrets).
    public var secretBox: SecretBox { box }
    /// The client the service asks Apple with; the sync engine uses the same one.
    public let client: DEPClient
    private(set) var timeSource: any TimeSource
    let allowCustomURL: Bool
    let logger: Logger

    /// Creates a service.
    /// - Parameters:
    ///   - store: Where tokens live.
    ///   - box: Seals and opens their secrets.
    ///   - client: Asks Apple's `/account` which MDM server an uploaded token belongs to.
    ///   - timeSource: The clock.
    ///   - allowCustomURL: Whether a token may point elsewhere than Apple's service (simulators, tests).
    ///   - logger: Where the service logs; never a secret.
    public init(
        store: any TokenStore & SecretStore,
        box: SecretBox,
        client: DEPClient,
        timeSource: any TimeSource,
        allowCustomURL: Bool,
        logger: Logger
    ) {
        self.store = store
        self.box = box
        self.client = client
        self.timeSource = timeSource
        self.allowCustomURL = allowCustomURL
        self.logger = logger
    }

    // MARK: - Create and certificates

    /// Creates a token with a staging key pair, and returns the certificate to upload to ABM.
    /// - Throws: ``TokenError`` `invalid_name`, `custom_url_not_allowed`; ``StoreError`` `duplicate_name`.
    public func create(name: String, baseURL: URL? = nil, commonName: String? = nil) async throws
        -> (token: EnrollmentToken, certificate: TokenCertificate)
    {
        let box = self.box.pinned()
        try Self.checkName(name)
        let url = try checkURL(baseURL)
        let token = try await store.createToken(name: name, baseURL: url, createdAt: timeSource.now())
        var ring = TokenKeyRing()
        let certificate = try ring.makeStagingPair(
            commonName: commonName ?? Self.commonName(for: name),
            now: timeSource.now()
        )
        var secrets = SealedTokenSecrets()
        seal(ring, into: &secrets, tokenID: token.id, box: box)
        do {
            try await store.setSecrets(secrets, tokenID: token.id, sealedWith: box.keyCheck)
        } catch {
            try? await store.deleteToken(id: token.id)  // A token without its key pair is of no use: none is left.
            throw error
        }
        logger.info("Token created", metadata: ["token": "\(name)"])
        return (token, certificate)
    }

    /// Makes a new staging key pair for a token and returns its certificate; the current pair keeps working until a
    /// token encrypted to the new certificate is uploaded.
    public func newCertificate(name: String, commonName: String? = nil) async throws -> TokenCertificate {
        let box = self.box.pinned()
        let token = try await token(named: name)
        var secrets = try await store.secrets(tokenID: token.id)
        var ring = try openRing(secrets, tokenID: token.id, box: box)
        let certificate = try ring.makeStagingPair(
            commonName: commonName ?? Self.commonName(for: name),
            now: timeSource.now()
        )
        seal(ring, into: &secrets, tokenID: token.id, box: box)
        try await store.setSecrets(secrets, tokenID: token.id, sealedWith: box.keyCheck)
        return certificate
    }

    /// The certificate to upload to ABM: the staging pair's while one waits, else the current pair's.
    public func certificate(name: String) async throws -> TokenCertificate? {
        let box = self.box.pinned()
        let token = try await token(named: name)
        return try openRing(try await store.secrets(tokenID: token.id), tokenID: token.id, box: box).certificateForABM
    }

    // MARK: - Upload and renewal

    /// What an upload did.
    public struct UploadOutcome: Sendable {
        public enum Kind: Sendable, Hashable {
            /// The first token of this enrollment program token, confirmed by Apple.
            case stored
            /// A first token that Apple could not confirm: stored, with the state Apple gave it (``appleError``).
            case storedUnconfirmed
            /// A renewal of the same MDM server, confirmed by Apple; it replaced the old credentials.
            case renewed
            /// A renewal that waits until Apple can confirm its MDM server (``appleError`` says why).
            case pending
        }

        public var kind: Kind
        public var token: EnrollmentToken
        /// What Apple answered when it could not confirm the server.
        public var appleError: DEPError?
        /// A renewal with another consumer key on the same MDM server: a different ABM user downloaded it.
        public var consumerKeyChanged: Bool
        /// Whether the token was encrypted to the staging certificate (now the current one).
        public var usedNewCertificate: Bool
    }

    /// Uploads a `.p7m` onto a token: its first token, or a renewal.
    ///
    /// The file is decrypted with the staging pair, then the current one. Apple's `/account` then says which MDM
    /// server it belongs to: a renewal replaces the old credentials only when it is the same server (another one is
    /// refused unless `force`); a server another token holds is always refused. When Apple cannot answer, a first
    /// token is stored with the state Apple gives it, and a renewal waits as pending.
    /// - Throws: ``ServerTokenError`` for the file; ``TokenError`` (`already_expired` for a token past its own expiry);
    ///   ``DEPError`` when Apple refuses the uploaded token itself (rejected, expired, a bad signature).
    public func upload(name: String, file: [UInt8], force: Bool = false) async throws -> UploadOutcome {
        let box = self.box.pinned()
        var token = try await token(named: name)
        var secrets = try await store.secrets(tokenID: token.id)
        var ring = try openRing(secrets, tokenID: token.id, box: box)
        let decryption = try ring.decrypt(file)
        let credentials = decryption.credentials
        // A token whose own expiry has passed is refused before Apple is asked: it would turn a working token into
        // an expired one.
        guard credentials.accessTokenExpiry > timeSource.now() else {
            throw TokenError(
                .alreadyExpired,
                parameters: ["token": name, "expiry": OAuthCredentials.formatTimestamp(credentials.accessTokenExpiry)]
            )
        }
        let isRenewal = secrets.credentials != nil
        let consumerKeyChanged = isRenewal && token.consumerKey != nil && token.consumerKey != credentials.consumerKey
        if decryption.usedStaging { ring.promoteStaging() }

        let account: AccountDetail
        do {
            account = try await client.account(
                DEPServer(name: "upload/\(token.id)", credentials: credentials, baseURL: token.baseURL)
            )
        } catch let error as DEPError {
            // Credentials Apple refuses (rejected, revoked, a bad signature) are never kept; only an answer Apple could
            // not give (unavailable, terms not accepted, the clock) leaves the token stored or the renewal pending.
            guard Self.cannotConfirm(error) else { throw error }
            seal(ring, into: &secrets, tokenID: token.id, box: box)
            if !isRenewal {
                apply(credentials, to: &token)
                secrets.credentials = sealCredentials(credentials, tokenID: token.id, field: "credentials", box: box)
                try await save(token, secrets, box: box)
                logger.notice("Token stored unconfirmed", metadata: ["token": "\(name)", "dep.error": "\(error.code)"])
                return UploadOutcome(
                    kind: .storedUnconfirmed,
                    token: token,
                    appleError: error,
                    consumerKeyChanged: false,
                    usedNewCertificate: decryption.usedStaging
                )
            }
            secrets.pendingCredentials = sealCredentials(
                credentials,
                tokenID: token.id,
                field: "pending_credentials",
                box: box
            )
            token.pendingSince = timeSource.now()
            try await save(token, secrets, box: box)
            logger.notice("Renewal pending", metadata: ["token": "\(name)", "dep.error": "\(error.code)"])
            return UploadOutcome(
                kind: .pending,
                token: token,
                appleError: error,
                consumerKeyChanged: consumerKeyChanged,
                usedNewCertificate: decryption.usedStaging
            )
        }
        try await checkServer(account, for: token, force: force)
        adopt(credentials, confirmedBy: account, token: &token, secrets: &secrets, box: box)
        seal(ring, into: &secrets, tokenID: token.id, box: box)
        try await save(token, secrets, box: box)
        logger.info("Token uploaded", metadata: ["token": "\(name)", "renewal": "\(isRenewal)"])
        return UploadOutcome(
            kind: isRenewal ? .renewed : .stored,
            token: token,
            appleError: nil,
            consumerKeyChanged: consumerKeyChanged,
            usedNewCertificate: decryption.usedStaging
        )
    }

    /// Tries again to confirm a pending renewal with Apple. Returns the token as it is afterwards; a renewal of
    /// another MDM server is dropped and refused.
    public func confirmPending(name: String) async throws -> EnrollmentToken {
        let box = self.box.pinned()
        var token = try await token(named: name)
        var secrets = try await store.secrets(tokenID: token.id)
        guard let sealed = secrets.pendingCredentials else { return token }
        let credentials = try openCredentials(sealed, tokenID: token.id, field: "pending_credentials", box: box)
        let account = try await client.account(
            DEPServer(name: "upload/\(token.id)", credentials: credentials, baseURL: token.baseURL)
        )
        do {
            try await checkServer(account, for: token, force: false)
        } catch {
            secrets.pendingCredentials = nil
            token.pendingSince = nil
            try await save(token, secrets, box: box)
            throw error
        }
        adopt(credentials, confirmedBy: account, token: &token, secrets: &secrets, box: box)
        try await save(token, secrets, box: box)
        return token
    }

    /// Adopts a key and its token from another tool (NanoDEP, MicroMDM) without a new ABM download: the key
    /// becomes the current pair, with a new self-signed certificate for it.
    public func importToken(
        name: String,
        privateKey: TokenPrivateKey,
        file: [UInt8],
        baseURL: URL? = nil
    ) async throws -> UploadOutcome {
        let box = self.box.pinned()
        try Self.checkName(name)
        let url = try checkURL(baseURL)
        // Check the file opens with the key before anything is stored.
        _ = try ServerTokenDecryptor(privateKey: privateKey).decrypt(file)
        let pair = try TokenKeyPair.certify(
            privateKey,
            commonName: Self.commonName(for: name),
            notValidBefore: timeSource.now()
        )
        let token = try await store.createToken(name: name, baseURL: url, createdAt: timeSource.now())
        var secrets = SealedTokenSecrets()
        do {
            seal(TokenKeyRing(current: pair), into: &secrets, tokenID: token.id, box: box)
            try await store.setSecrets(secrets, tokenID: token.id, sealedWith: box.keyCheck)
            return try await upload(name: name, file: file)
        } catch {
            try? await store.deleteToken(id: token.id)  // An import that cannot complete leaves nothing behind.
            throw error
        }
    }

    /// Deletes a token with its private keys, devices and profiles.
    public func delete(name: String) async throws {
        let token = try await token(named: name)
        try await store.deleteToken(id: token.id)
        logger.notice("Token deleted", metadata: ["token": "\(name)"])
    }

    /// The credentials a token syncs with.
    /// - Throws: `not_uploaded` when it has none.
    public func credentials(for token: EnrollmentToken) async throws -> OAuthCredentials {
        let box = self.box.pinned()
        guard let sealed = try await store.secrets(tokenID: token.id).credentials else {
            throw TokenError(.notUploaded, parameters: ["token": token.name])
        }
        return try openCredentials(sealed, tokenID: token.id, field: "credentials", box: box)
    }

    /// The client's view of a token.
    public func server(for token: EnrollmentToken) async throws -> DEPServer {
        DEPServer(name: "token/\(token.id)", credentials: try await credentials(for: token), baseURL: token.baseURL)
    }

    // MARK: - Rules

    static func checkName(_ name: String) throws {
        guard (1...maximumNameLength).contains(name.count), !name.contains(where: { $0.isNewline }),
            !name.hasHiddenCharacters, name.trimmingCharacters(in: .whitespaces) == name
        else {
            throw TokenError(.invalidName, parameters: ["name": name.loggable(limit: maximumNameLength)])
        }
    }

    func checkURL(_ url: URL?) throws -> URL {
        guard let url, url != DEPServer.appleBaseURL else { return DEPServer.appleBaseURL }
        guard allowCustomURL else {
            throw TokenError(.customURLNotAllowed, parameters: ["url": url.absoluteString])
        }
        return url
    }

    /// Errors that say Apple could not confirm the server now, not that the uploaded token is bad.
    static func cannotConfirm(_ error: DEPError) -> Bool {
        error.code.isTransient || error.code == .termsNotSigned || error.code == .clockSkew
    }

    private func checkServer(_ account: AccountDetail, for token: EnrollmentToken, force: Bool) async throws {
        guard let uuid = account.serverUUID else { return }
        if let current = token.serverUUID, current != uuid, !force {
            throw TokenError(
                .differentServer,
                parameters: [
                    "token": token.name, "currentServer": token.serverName ?? current,
                    "newServer": account.serverName ?? uuid,
                ]
            )
        }
        if let other = try await store.token(serverUUID: uuid), other.id != token.id {
            throw TokenError(.serverAlreadyHeld, parameters: ["token": token.name, "otherToken": other.name])
        }
    }

    /// Makes credentials that `/account` confirmed the token's own: its server's details, no renewal pending.
    private func adopt(
        _ credentials: OAuthCredentials,
        confirmedBy account: AccountDetail,
        token: inout EnrollmentToken,
        secrets: inout SealedTokenSecrets,
        box: SecretBox
    ) {
        apply(credentials, to: &token)
        apply(account, to: &token)
        token.pendingSince = nil
        secrets.credentials = sealCredentials(credentials, tokenID: token.id, field: "credentials", box: box)
        secrets.pendingCredentials = nil
    }

    private func apply(_ credentials: OAuthCredentials, to token: inout EnrollmentToken) {
        token.consumerKey = credentials.consumerKey
        token.accessTokenExpiry = credentials.accessTokenExpiry
        token.issuedAt = credentials.issuedAt
        token.uploadedAt = timeSource.now()
    }

    private func apply(_ account: AccountDetail, to token: inout EnrollmentToken) {
        token.serverUUID = account.serverUUID
        token.serverName = account.serverName
        token.organisationName = account.orgName
        token.adminAppleID = account.adminID
    }

    /// The same service reading another clock: `ade demo` uploads its expired sample token at the simulated time it
    /// was issued, when it was still valid.
    public func reading(_ timeSource: any TimeSource) -> TokenService {
        var service = self
        service.timeSource = timeSource
        return service
    }

    /// The token of that name.
    /// - Throws: ``StoreError`` `not_found`.
    public func token(named name: String) async throws -> EnrollmentToken {
        guard let token = try await store.token(named: name) else {
            throw StoreError(.notFound, parameters: ["name": name])
        }
        return token
    }

    /// Stores a token's secrets, sealed with `box`, and its row. The store refuses the secrets when the database's
    /// master key is no longer the box's (`ade key rotate` ran meanwhile): nothing is ever kept under an old key.
    private func save(_ token: EnrollmentToken, _ secrets: SealedTokenSecrets, box: SecretBox) async throws {
        try await store.setSecrets(secrets, tokenID: token.id, sealedWith: box.keyCheck)
        try await store.updateToken(token)
    }

    /// A certificate's common name from the token's name (at most 64 characters).
    static func commonName(for name: String) -> String {
        String("ade \(name)".prefix(64))
    }

    // MARK: - Sealing

    func sealCredentials(_ credentials: OAuthCredentials, tokenID: Int64, field: String, box: SecretBox) -> [UInt8] {
        box.seal(credentials.tokenJSON, context: SecretBox.context(tokenID: tokenID, field: field))
    }

    func openCredentials(_ sealed: [UInt8], tokenID: Int64, field: String, box: SecretBox) throws -> OAuthCredentials {
        try OAuthCredentials(
            payload: Array(try box.open(sealed, context: SecretBox.context(tokenID: tokenID, field: field)))
        )
    }

    func seal(_ ring: TokenKeyRing, into secrets: inout SealedTokenSecrets, tokenID: Int64, box: SecretBox) {
        secrets.currentKey = ring.current.map {
            box.seal(
                $0.privateKey.pemRepresentation,
                context: SecretBox.context(tokenID: tokenID, field: "current_key")
            )
        }
        secrets.currentCertificate = ring.current?.certificate.pemRepresentation
        secrets.stagingKey = ring.staging.map {
            box.seal(
                $0.privateKey.pemRepresentation,
                context: SecretBox.context(tokenID: tokenID, field: "staging_key")
            )
        }
        secrets.stagingCertificate = ring.staging?.certificate.pemRepresentation
    }

    func openRing(_ secrets: SealedTokenSecrets, tokenID: Int64, box: SecretBox) throws -> TokenKeyRing {
        func pair(_ key: [UInt8]?, _ certificate: String?, _ field: String) throws -> TokenKeyPair? {
            guard let key, let certificate else { return nil }
            let pem = try box.openString(key, context: SecretBox.context(tokenID: tokenID, field: field))
            return try TokenKeyPair(
                privateKey: TokenPrivateKey(pemRepresentation: pem),
                certificate: TokenCertificate(pemRepresentation: certificate)
            )
        }
        return TokenKeyRing(
            current: try pair(secrets.currentKey, secrets.currentCertificate, "current_key"),
            staging: try pair(secrets.stagingKey, secrets.stagingCertificate, "staging_key")
        )
    }
}
