import DEPClient
import Foundation
public import HTTPTypes
public import Hummingbird
import ServerToken
import Synchronization

extension DEPSimulator {
    /// The control API, JSON under `/control`: state, faults, clock, device changes, ABM actions.
    ///
    /// | method and path | body | effect |
    /// |---|---|---|
    /// | `GET /control/state` | | clock, organisations' terms, servers |
    /// | `POST /control/clock/advance` | `{"seconds": N}` | moves the simulated clock |
    /// | `GET`, `PUT`, `DELETE /control/servers/{uuid}/faults` | `SimulatedFaults` | reads, replaces, clears faults |
    /// | `POST /control/organisations` | `{"name": …, "type": "org", "appleSeedForIT": false}` | adds an organisation |
    /// | `POST /control/servers` | `{"name": …, "devices": N, "organisation": n}` | adds an MDM server |
    /// | `POST /control/sessions/forget` | | forgets every session, as a restarted service |
    /// | `GET /control/servers/{uuid}/credentials` | | the token's credentials (decrypted-token JSON) |
    /// | `GET /control/servers/{uuid}/serials?offset=&limit=` | | serials assigned now |
    /// | `POST /control/servers/{uuid}/churn` | `{"added": N, "modified": N, "deleted": N}` | device changes now |
    /// | `POST /control/servers/{uuid}/setup-assistant` | `{"serials": […]}` | assigned devices fetch their profile |
    /// | `POST /control/servers/{uuid}/revoke` | | revokes the token |
    /// | `POST /control/servers/{uuid}/invalidate-cursors` | | every cursor becomes `INVALID_CURSOR` |
    /// | `PUT /control/servers/{uuid}/certificate` | PEM | uploads the MDM's certificate |
    /// | `POST /control/servers/{uuid}/token` | | downloads a new token (`.p7m` text) |
    /// | `POST /control/terms/publish`, `/control/terms/accept` | | new terms; accepting them |
    /// | `POST /control/devices/move` | `{"serials": […], "to": uuid}` | reassigns devices |
    func addControlRoutes(to router: Router<BasicRequestContext>) {
        let control = router.group("control")
        control.get("state") { _, _ in Answer.json(self.state()) }
        control.post("clock/advance") { request, _ in
            let body = try await Self.decode(ClockAdvance.self, request)
            self.advanceClock(by: body.seconds)
            return Answer.json(self.state())
        }
        control.post("servers") { request, _ in
            let body = try await Self.decode(NewServer.self, request)
            return Answer.json(
                self.addServer(name: body.name, devices: body.devices ?? 0, organisation: body.organisation ?? 0),
                status: .created
            )
        }
        control.post("organisations") { request, _ in
            let body = try await Self.decode(NewOrganisation.self, request)
            let number = self.addOrganisation(
                name: body.name,
                type: body.type ?? "org",
                appleSeedForIT: body.appleSeedForIT ?? false
            )
            return Answer.json(["organisation": number], status: .created)
        }
        control.post("sessions/forget") { _, _ in
            self.forgetSessions()
            return Response(status: .noContent)
        }
        control.get("servers/:uuid/faults") { _, context in
            Answer.json(try self.faults(server: Self.uuid(context)))
        }
        control.put("servers/:uuid/faults") { request, context in
            let faults = try await Self.decode(SimulatedFaults.self, request)
            try self.setFaults(faults, server: Self.uuid(context))
            return Answer.json(faults)
        }
        control.delete("servers/:uuid/faults") { _, context in
            try self.setFaults(SimulatedFaults(), server: Self.uuid(context))
            return Answer.json(SimulatedFaults())
        }
        control.get("servers/:uuid/credentials") { _, context in
            Answer.json(Array(try self.credentials(server: Self.uuid(context)).tokenJSON.utf8))
        }
        control.get("servers/:uuid/serials") { request, context in
            let offset = request.uri.queryParameters.get("offset", as: Int.self) ?? 0
            let limit = min(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 10_000)
            return Answer.json(try self.serials(server: Self.uuid(context), offset: offset, limit: limit))
        }
        control.post("servers/:uuid/churn") { request, context in
            let body = try await Self.decode(SimulatorConfiguration.Churn.self, request)
            try self.churn(
                server: Self.uuid(context),
                added: body.added,
                modified: body.modified,
                deleted: body.deleted
            )
            return Response(status: .noContent)
        }
        control.post("servers/:uuid/setup-assistant") { request, context in
            let body = try await Self.decode(Serials.self, request)
            return Answer.json(try self.runSetupAssistant(server: Self.uuid(context), serials: body.serials))
        }
        control.post("servers/:uuid/revoke") { _, context in
            try self.revoke(server: Self.uuid(context))
            return Response(status: .noContent)
        }
        control.post("servers/:uuid/invalidate-cursors") { _, context in
            try self.invalidateCursors(server: Self.uuid(context))
            return Response(status: .noContent)
        }
        control.put("servers/:uuid/certificate") { request, context in
            let pem = String(buffer: try await request.body.collect(upTo: 64 * 1024))
            try self.uploadCertificate(pem: pem, server: Self.uuid(context))
            return Response(status: .noContent)
        }
        control.post("servers/:uuid/token") { _, context in
            let token = try self.downloadToken(server: Self.uuid(context))
            return Self.tokenDownload(token)
        }
        control.post("terms/publish") { _, _ in
            self.publishTerms()
            return Response(status: .noContent)
        }
        control.post("terms/accept") { request, _ in
            self.acceptTerms(organisation: request.uri.queryParameters.get("organisation").flatMap { Int($0) } ?? 0)
            return Response(status: .noContent)
        }
        control.post("devices/move") { request, _ in
            let body = try await Self.decode(Move.self, request)
            return Answer.json(try self.move(serials: body.serials, to: body.to))
        }
    }

    /// The simulator's state, as `GET /control/state` shows it.
    struct State: Codable, Sendable {
        var now: Date
        var clockAdvancedBySeconds: Double
        var termsAccepted: [Bool]
        /// The organisations' names, in the order of ``termsAccepted``.
        var organisations: [String]
        var servers: [ServerInfo]
    }

    func state() -> State {
        let (terms, names, servers) = world.withLock { world in
            (
                world.organisations.map(\.termsAccepted), world.organisations.map(\.name),
                world.servers.map { Self.info($0) }
            )
        }
        return State(
            now: clock.now(),
            clockAdvancedBySeconds: clock.advancedBy,
            termsAccepted: terms,
            organisations: names,
            servers: servers
        )
    }

    static func tokenDownload(_ token: (fileName: String, contents: String)) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "application/pkcs7-mime; smime-type=enveloped-data",
                .contentDisposition:
                    "attachment; filename=\"\(token.fileName.replacingOccurrences(of: "\"", with: ""))\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: token.contents))
        )
    }

    private struct ClockAdvance: Decodable { var seconds: Double }
    private struct NewServer: Decodable {
        var name: String
        var devices: Int?
        var organisation: Int?
    }
    private struct Serials: Decodable { var serials: [String] }
    private struct NewOrganisation: Decodable {
        var name: String
        var type: String?
        var appleSeedForIT: Bool?
    }
    private struct Move: Decodable {
        var serials: [String]
        var to: String
    }

    private static func uuid(_ context: BasicRequestContext) throws -> String {
        try context.parameters.require("uuid")
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "The body is not the JSON this endpoint takes: \(error)")
        }
    }
}

extension DEPSimulatorError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        code == .unknownServer ? .notFound : .badRequest
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Answer.json(["error": code.rawValue, "message": message], status: status)
    }
}
