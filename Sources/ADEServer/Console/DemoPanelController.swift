import ADECore
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The demo panel of `ade demo`: switches the simulator's faults on and off through its control API, so that a
/// person can watch a token fall into an error state and recover. Present only when the server is given a
/// simulator's control URL.
struct DemoPanelController {
    let dependencies: ServerDependencies
    let renderer: ConsoleRenderer
    let controlURL: @Sendable () -> URL?

    /// A fault the panel switches, by its key in the simulator's fault object.
    struct Fault: Sendable {
        /// How the simulator's fault object holds it.
        enum Kind: Sendable {
            /// `true` or `false`.
            case flag
            /// A share of requests, `1` or `0`.
            case rate
            /// An object (`{"rate": 1, "retryAfterSeconds": 30}`) or nothing.
            case throttle
        }

        var key: String
        var label: MessageKey
        var kind: Kind

        /// The JSON value that switches it on or off.
        func value(on: Bool) -> Any {
            switch kind {
            case .flag: on
            case .rate: on ? 1.0 : 0.0
            case .throttle: on ? ["rate": 1.0, "retryAfterSeconds": 30] as [String: Any] : NSNull()
            }
        }
    }

    static let faults: [Fault] = [
        Fault(key: "termsNotAccepted", label: .demoFaultTerms, kind: .flag),
        Fault(key: "tokenRevoked", label: .demoFaultRevoked, kind: .flag),
        Fault(key: "tokenExpired", label: .demoFaultExpired, kind: .flag),
        Fault(key: "forbidden", label: .demoFaultForbidden, kind: .flag),
        Fault(key: "serverErrorRate", label: .demoFaultUnavailable, kind: .rate),
        Fault(key: "throttle", label: .demoFaultThrottled, kind: .throttle),
        Fault(key: "connectionResetRate", label: .demoFaultReset, kind: .rate),
    ]

    func addRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("demo", use: page)
        pages.post("demo/:uuid/:fault", use: toggle)
    }

    @Sendable func page(_ request: Request, context: ADERequestContext) async throws -> Response {
        let overviews = try await dependencies.overviews()
        let tokens = Dictionary(
            overviews.compactMap { overview in overview.token.serverUUID.map { ($0, overview) } },
            uniquingKeysWith: { first, _ in first }
        )
        var rows: [[String: Any]] = []
        for server in try await servers() {
            guard let uuid = server["uuid"] as? String, let overview = tokens[uuid] else { continue }
            let faults = server["faults"] as? [String: Any] ?? [:]
            rows.append([
                "token": overview.token.name, "path": overview.token.name.pathEscaped, "uuid": uuid,
                "state": context.text(overview.health.state.titleKey), "severity": overview.health.severity.rawValue,
                "faults": Self.faults.map { fault -> [String: Any] in
                    let active = Self.isOn(faults[fault.key])
                    return [
                        "key": fault.key, "label": context.text(fault.label), "active": active,
                        "action": context.text(active ? .demoTurnOff : .demoTurnOn), "next": active ? "off" : "on",
                    ]
                },
            ])
        }
        var frame = ConsoleRenderer.Frame(title: context.text(.demoTitle))
        frame.notice = request.uri.queryParameters.get("changed") == nil ? nil : context.text(.demoChanged)
        return renderer.page(
            "demo",
            frame: frame,
            context: context,
            request: request,
            values: ["servers": rows, "hasServers": !rows.isEmpty]
        )
    }

    struct ToggleForm: Decodable {
        var csrf: String
        var state: String
    }

    @Sendable func toggle(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await ConsoleController.decodeForm(ToggleForm.self, request, context)
        let uuid = try context.pathParameter("uuid")
        let key = try context.pathParameter("fault")
        guard let fault = Self.faults.first(where: { $0.key == key }),
            uuid.allSatisfy({ $0.isHexDigit || $0 == "-" })
        else {
            throw ServerError(
                .invalidParameter,
                parameters: ["name": "fault", "allowed": Self.faults.map(\.key).joined(separator: ", ")]
            )
        }
        var faults = try await call("servers/\(uuid)/faults", method: .GET) as? [String: Any] ?? [:]
        faults[fault.key] = fault.value(on: form.state == "on")
        _ = try await call("servers/\(uuid)/faults", method: .PUT, body: faults)
        if let token = try await dependencies.store.token(serverUUID: uuid) {
            dependencies.scheduler?.tokenChanged(tokenID: token.id)  // Show the effect at once.
        }
        await dependencies.audit(context, "demo.fault.\(form.state)", "\(uuid)/\(fault.key)")
        return Response.redirect(to: "/demo?changed=1", type: .normal)
    }

    // MARK: - The simulator's control API

    func servers() async throws -> [[String: Any]] {
        (try await call("state", method: .GET) as? [String: Any])?["servers"] as? [[String: Any]] ?? []
    }

    func call(_ path: String, method: HTTPMethod, body: Any? = nil) async throws -> Any? {
        guard let base = controlURL() else {
            throw ServerError(.simulatorUnavailable)
        }
        var request = HTTPClientRequest(url: base.appendingPathComponent(path).absoluteString)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw ServerError(.simulatorUnavailable)
            }
            return bytes.readableBytes == 0
                ? nil : try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.simulatorUnavailable)
        }
    }

    static func isOn(_ value: Any?) -> Bool {
        switch value {
        case let flag as Bool: flag
        case let number as Double: number > 0
        case let number as Int: number > 0
        case is [String: Any]: true
        default: false
        }
    }
}
