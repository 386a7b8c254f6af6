import ADECore
import ADESupport
import Foundation
import Hummingbird
import Logging
import MultipartKit
import ServerToken

/// The console's token wizards: add a token (name → certificate for ABM → upload of the `.p7m`), renew (certificate
/// again if needed → upload), and delete with what is lost stated.
extension ConsoleController {
    func addLifecycleRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("tokens/new", use: newTokenPage)
        pages.post("tokens", use: createToken)
        pages.get("tokens/:name/certificate.pem", use: certificateFile)
        pages.get("tokens/:name/upload") { request, context in
            try await uploadPage(request, context: context, renewal: false)
        }
        pages.get("tokens/:name/renew") { request, context in
            try await uploadPage(request, context: context, renewal: true)
        }
        pages.post("tokens/:name/upload") { request, context in
            try await upload(request, context: context, renewal: false)
        }
        pages.post("tokens/:name/renew") { request, context in
            try await upload(request, context: context, renewal: true)
        }
        pages.get("tokens/:name/delete", use: deletePage)
        pages.post("tokens/:name/delete", use: deleteToken)
    }

    // MARK: - Add

    struct NewTokenForm: Decodable {
        var csrf: String
        var name: String
    }

    @Sendable func newTokenPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        renderer.page(
            "token-new",
            frame: try await wizardFrame(context.text(.wizardNewTitle), context: context),
            context: context,
            request: request
        )
    }

    @Sendable func createToken(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(NewTokenForm.self, request, context)
        do {
            let (token, _) = try await dependencies.tokens.create(
                name: form.name.trimmingCharacters(in: .whitespaces),
                baseURL: dependencies.defaultServiceURL()
            )
            await dependencies.audit(context, "token.create", token.name, after: token.auditFields)
            return Response.redirect(to: "/tokens/\(token.name.pathEscaped)/upload", type: .normal)
        } catch let error as any CataloguedError {
            var frame = try await wizardFrame(context.text(.wizardNewTitle), context: context)
            frame.problem = describe(error, context)
            return renderer.page(
                "token-new",
                frame: frame,
                context: context,
                request: request,
                values: ["name": form.name],
                status: .badRequest
            )
        }
    }

    // MARK: - Certificate and upload

    @Sendable func certificateFile(_ request: Request, context: ADERequestContext) async throws -> Response {
        let token = try await namedToken(context)
        guard let certificate = try await dependencies.tokens.certificate(name: token.name) else {
            throw ServerError(.tokenNotFound, parameters: ["name": token.name])
        }
        return APIController.pem(certificate.pemRepresentation, name: token.name, status: .ok)
    }

    func uploadPage(_ request: Request, context: ADERequestContext, renewal: Bool, problem: String? = nil)
        async throws -> Response
    {
        let token = try await namedToken(context)
        let heading = context.text(renewal ? .wizardRenewTitle : .wizardUploadTitle, ["name": .string(token.name)])
        var frame = try await wizardFrame(heading, context: context)
        frame.problem = problem
        return renderer.page(
            "token-upload",
            frame: frame,
            context: context,
            request: request,
            values: [
                "heading": heading, "path": token.name.pathEscaped, "isNew": !renewal,
                "action": renewal ? "renew" : "upload",
            ],
            status: problem == nil ? .ok : .badRequest
        )
    }

    struct UploadForm: Decodable {
        var csrf: String
        var file: Data
    }

    /// The wizard's "another MDM server" box, sent only when ticked.
    struct ForceForm: Decodable {
        var force: String
    }

    func upload(_ request: Request, context: ADERequestContext, renewal: Bool) async throws -> Response {
        let token = try await namedToken(context)
        let (form, force) = try await Self.decodeMultipart(UploadForm.self, request, context)
        let now = dependencies.timeSource.now()
        let key = context.identity?.displayName ?? context.peer
        if let seconds = try await uploads.retryAfter(key, now: now) {
            let problem = describe(AccessError(.tooManyAttempts, parameters: ["seconds": String(seconds)]), context)
            var response = try await uploadPage(request, context: context, renewal: renewal, problem: problem)
            response.status = .tooManyRequests
            return response
        }
        try await uploads.record(key, now: now)
        do {
            let outcome = try await dependencies.tokens.upload(
                name: token.name,
                file: Array(form.file),
                force: force
            )
            await dependencies.audit(
                context,
                renewal ? "token.renew" : "token.upload",
                token.name,
                before: token.auditFields,
                after: outcome.token.auditFields
            )
            dependencies.scheduler?.tokenChanged(tokenID: token.id)
            let notice = APIController.name(of: outcome.kind)
            return Response.redirect(to: "/tokens/\(token.name.pathEscaped)?notice=\(notice)", type: .normal)
        } catch is any TokenFileError {
            // One answer whatever the cause (no padding oracle), as the API gives.
            let problem = describe(ServerError(.tokenUndecryptable), context)
            return try await uploadPage(request, context: context, renewal: renewal, problem: problem)
        } catch let error as any CataloguedError {
            return try await uploadPage(request, context: context, renewal: renewal, problem: describe(error, context))
        }
    }

    // MARK: - Delete

    struct DeleteForm: Decodable {
        var csrf: String
        var confirm: String?
    }

    @Sendable func deletePage(_ request: Request, context: ADERequestContext) async throws -> Response {
        let token = try await namedToken(context)
        let devices = try await dependencies.store.deviceCount(tokenID: token.id, includeRemoved: true)
        return renderer.page(
            "token-delete",
            frame: try await wizardFrame(context.text(.deleteTitle), context: context),
            context: context,
            request: request,
            values: [
                "path": token.name.pathEscaped,
                "warning": context.text(.deleteWarning, ["name": .string(token.name), "count": .int(devices)]),
            ]
        )
    }

    @Sendable func deleteToken(_ request: Request, context: ADERequestContext) async throws -> Response {
        let token = try await namedToken(context)
        let form = try await Self.decodeForm(DeleteForm.self, request, context)
        guard form.confirm == "yes" else {
            return Response.redirect(to: "/tokens/\(token.name.pathEscaped)/delete", type: .normal)
        }
        try await dependencies.tokens.delete(name: token.name)
        await dependencies.audit(context, "token.delete", token.name, before: token.auditFields)
        return Response.redirect(to: "/?notice=deleted", type: .normal)
    }

    // MARK: - Pieces

    func namedToken(_ context: ADERequestContext) async throws -> EnrollmentToken {
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            throw ServerError(.tokenNotFound, parameters: ["name": name])
        }
        return token
    }

    func wizardFrame(_ title: String, context: ADERequestContext) async throws -> ConsoleRenderer.Frame {
        let overviews = try await dependencies.overviews()
        var frame = frame(title: title, overviews: overviews, context: context)
        frame.breadcrumb[frame.breadcrumb.count - 1].href = "/"
        frame.breadcrumb.append(.init(label: title))
        return frame
    }

    /// Decodes a `multipart/form-data` form (a file upload) and checks its anti-forgery token; also says whether the
    /// form's `force` box was ticked.
    static func decodeMultipart<Form: Decodable>(_ type: Form.Type, _ request: Request, _ context: ADERequestContext)
        async throws -> (Form, force: Bool)
    {
        guard let contentType = request.headers[.contentType],
            contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count)
        else {
            throw ServerError(.formIncomplete)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: APIController.maximumTokenFileSize + 16 * 1024)
        } catch {
            throw ServerError(
                .tokenFileTooLarge,
                parameters: ["maximum": String(APIController.maximumTokenFileSize)]
            )
        }
        let boundaryValue = String(boundary).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if case .user(_, let session) = context.identity {
            let token = try? FormDataDecoder().decode(CSRFForm.self, from: body, boundary: boundaryValue)
            guard token?.csrf == session.csrfToken else { throw AccessError(.csrfRejected) }
        }
        let force =
            (try? FormDataDecoder().decode(ForceForm.self, from: body, boundary: boundaryValue))?.force == "true"
        do {
            return (try FormDataDecoder().decode(Form.self, from: body, boundary: boundaryValue), force)
        } catch {
            throw ServerError(.formIncomplete)
        }
    }
}
