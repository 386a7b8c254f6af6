import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird
import ServerToken

/// The token life cycle over `/api/v1`: create (key pair and certificate for ABM), certificate download and renewal,
/// upload of the `.p7m` (first token or renewal), delete.
extension APIController {
    /// The largest `.p7m` accepted; ABM's are a few kilobytes.
    static let maximumTokenFileSize = 64 * 1024

    struct CreateRequest: APIRequestBody {
        var name: String
        var baseURL: String?

        enum CodingKeys: String, CodingKey {
            case name
            case baseURL = "base_url"
        }

        static let fields = ["name", "base_url"]
        static let example = #"{"name": "…", "base_url": "https://…"}"#
    }

    struct Created: ResponseEncodable {
        var token: APIModels.Token
        /// The certificate to upload to the MDM server in Apple Business Manager or Apple School Manager.
        var certificatePem: String

        enum CodingKeys: String, CodingKey {
            case token
            case certificatePem = "certificate_pem"
        }
    }

    struct Uploaded: ResponseEncodable {
        /// `stored`, `stored_unconfirmed`, `renewed` or `pending`.
        var outcome: String
        var consumerKeyChanged: Bool
        var usedNewCertificate: Bool
        /// Apple's error code when it could not confirm the token's MDM server.
        var appleError: String?
        var token: APIModels.Token

        enum CodingKeys: String, CodingKey {
            case outcome, token
            case consumerKeyChanged = "consumer_key_changed"
            case usedNewCertificate = "used_new_certificate"
            case appleError = "apple_error"
        }
    }

    func addLifecycleRoutes(to group: RouterGroup<ADERequestContext>) {
        group.post("tokens", use: createToken)
        group.get("tokens/:name/certificate", use: certificate)
        group.post("tokens/:name/certificate", use: newCertificate)
        group.post("tokens/:name/upload") { request, context in
            try await upload(request, context: context, renewal: false)
        }
        group.post("tokens/:name/renew") { request, context in
            try await upload(request, context: context, renewal: true)
        }
        group.delete("tokens/:name", use: deleteToken)
    }

    @Sendable func createToken(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let body = try await decode(CreateRequest.self, request)
            var url: URL?
            if let text = body.baseURL {
                guard let parsed = URL(string: text), parsed.scheme == "https" || parsed.scheme == "http",
                    parsed.host != nil
                else {
                    throw APIError(
                        .badRequest,
                        ServerError(
                            .invalidParameter,
                            parameters: ["name": "base_url", "allowed": "https://…, http://…"]
                        )
                    )
                }
                url = parsed
            }
            let (token, certificate) = try await dependencies.tokens.create(name: body.name, baseURL: url)
            await dependencies.audit(context, "token.create", token.name, after: token.auditFields)
            let overview = try await dependencies.overview(of: token)
            return try Created(
                token: APIModels.Token(overview, syncing: false, context: context),
                certificatePem: certificate.pemRepresentation
            ).response(from: request, context: context).withStatus(.created)
        }
    }

    @Sendable func certificate(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            guard let certificate = try await dependencies.tokens.certificate(name: token.name) else {
                throw APIError(.notFound, ServerError(.tokenNotFound, parameters: ["name": token.name]))
            }
            return Self.pem(certificate.pemRepresentation, name: token.name, status: .ok)
        }
    }

    @Sendable func newCertificate(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            let certificate = try await dependencies.tokens.newCertificate(name: token.name)
            await dependencies.audit(context, "token.certificate", token.name)
            return Self.pem(certificate.pemRepresentation, name: token.name, status: .created)
        }
    }

    func upload(_ request: Request, context: ADERequestContext, renewal: Bool) async throws -> Uploaded {
        try await api {
            let token = try await token(context)
            let now = dependencies.timeSource.now()
            let key = context.identity?.displayName ?? context.peer
            if let seconds = try await uploads.retryAfter(key, now: now) {
                throw APIError(
                    .tooManyRequests,
                    AccessError(.tooManyAttempts, parameters: ["seconds": String(seconds)]),
                    headers: [.retryAfter: String(seconds)]
                )
            }
            try await uploads.record(key, now: now)
            if renewal, token.uploadedAt == nil {
                throw APIError(.conflict, TokenError(.notUploaded, parameters: ["token": token.name]))
            }
            let file: ByteBuffer
            do {
                file = try await request.body.collect(upTo: Self.maximumTokenFileSize)
            } catch {
                throw APIError(
                    .contentTooLarge,
                    ServerError(.tokenFileTooLarge, parameters: ["maximum": String(Self.maximumTokenFileSize)])
                )
            }
            let force = try request.boolean("force", default: false)
            let outcome: TokenService.UploadOutcome
            do {
                outcome = try await dependencies.tokens.upload(
                    name: token.name,
                    file: Array(buffer: file),
                    force: force
                )
            } catch is any TokenFileError {
                // One answer whatever the cause, so that the answers reveal nothing about the key (no padding oracle).
                throw APIError(.unprocessableContent, ServerError(.tokenUndecryptable))
            } catch let error as DEPError {
                throw APIError(.unprocessableContent, error)
            }
            await dependencies.audit(
                context,
                renewal ? "token.renew" : "token.upload",
                token.name,
                before: token.auditFields,
                after: outcome.token.auditFields
            )
            dependencies.scheduler?.tokenChanged(tokenID: token.id)
            let overview = try await dependencies.overview(of: outcome.token)
            return Uploaded(
                outcome: Self.name(of: outcome.kind),
                consumerKeyChanged: outcome.consumerKeyChanged,
                usedNewCertificate: outcome.usedNewCertificate,
                appleError: outcome.appleError?.code.description,
                token: APIModels.Token(overview, syncing: false, context: context)
            )
        }
    }

    @Sendable func deleteToken(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            try await dependencies.tokens.delete(name: token.name)
            await dependencies.audit(context, "token.delete", token.name, before: token.auditFields)
            return Response(status: .noContent)
        }
    }

    static func name(of kind: TokenService.UploadOutcome.Kind) -> String {
        switch kind {
        case .stored: "stored"
        case .storedUnconfirmed: "stored_unconfirmed"
        case .renewed: "renewed"
        case .pending: "pending"
        }
    }

    static func pem(_ text: String, name: String, status: HTTPResponse.Status) -> Response {
        let file = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return Response(
            status: status,
            headers: [
                .contentType: "application/x-pem-file",
                .contentDisposition: "attachment; filename=\"\(file.isEmpty ? "token" : file)-certificate.pem\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
