import ADECore
import ArgumentParser
import DEPClient
import Foundation
import Logging
import ServerToken

/// How `ade dep` reaches Apple's service: the token's credentials, the base URL, the transport's settings.
struct DEPConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "A decrypted token's credentials as JSON (the output of 'ade token decrypt', or 'ade simulator --credentials-out')."
    )
    var credentials: String?

    @Option(name: .long, help: "A stored token's name: its credentials and service URL come from the database.")
    var token: String?

    @Option(name: .long, help: "With --credentials: the service's base URL, e.g. a simulator's. Default: Apple's.")
    var url: String?

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "X-Server-Protocol-Version to send.")
    var protocolVersion: Int = 10

    @Option(name: .long, help: "The User-Agent to send.")
    var userAgent: String = DEPClient.Configuration.defaultUserAgent

    @Option(name: .long, help: "A PEM file of extra certificate authorities to trust (env ADE_EXTRA_CA_FILE).")
    var extraCAFile: String?

    @Option(name: .long, help: "Seconds one HTTP exchange may take.")
    var timeout: Int = 60

    /// Credentials files are a few hundred bytes.
    static let credentialsLimit = 64 * 1024

    /// The token to call as: from `--credentials`, or the stored token `--token`.
    func server() async throws -> DEPServer {
        switch (credentials, token) {
        case (let path?, nil):
            return try server(credentialsFile: path)
        case (nil, let name?):
            return try await storeOptions.withTokenService { service, store, _ in
                let token = try await service.token(named: name)
                return try await service.server(for: token)
            }
        default:
            throw CommandError(.credentialsRequired, parameters: [:])
        }
    }

    private func server(credentialsFile path: String) throws -> DEPServer {
        let bytes = try FileAccess.read(path, limit: Self.credentialsLimit)
        let parsed: OAuthCredentials
        do {
            parsed = try OAuthCredentials(payload: bytes)
        } catch {
            throw CommandError(.credentialsInvalid, path: path)
        }
        var baseURL = DEPServer.appleBaseURL
        if let url {
            baseURL = try parseServiceURL(url)
        }
        return DEPServer(name: parsed.consumerKey, credentials: parsed, baseURL: baseURL)
    }

    /// Runs `body` with a client on the production transport (HTTPS proxy from `HTTPS_PROXY`/`NO_PROXY`).
    func withClient<T>(_ body: (DEPClient, DEPServer) async throws -> T) async throws -> T {
        let server = try await server()
        let environment = ProcessInfo.processInfo.environment
        let caFile = extraCAFile ?? environment["ADE_EXTRA_CA_FILE"]
        if let caFile { _ = try FileAccess.read(caFile, limit: 1 << 20) }
        let transport = try HTTPClientTransport(
            configuration: .fromEnvironment(environment, extraCAFile: caFile)
        )
        let client = DEPClient(
            configuration: DEPClient.Configuration(
                userAgent: userAgent,
                protocolVersion: protocolVersion,
                requestTimeout: .seconds(max(1, timeout))
            ),
            transport: transport,
            logger: Logger.commandLine("ade.dep")
        )
        do {
            let result = try await body(client, server)
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    /// Makes a call and prints Apple's JSON answer, indented.
    func call(_ request: DEPRequest) async throws {
        let response = try await withClient { client, server in
            try await client.send(
                request.method,
                request.path,
                query: request.query,
                body: request.body,
                server: server
            )
        }
        try await audit(request)
        guard !response.body.isEmpty else { return }
        Console.current.line(Self.indented(response.body))
    }

    /// A call that changes something at Apple (disown, activation lock, profiles) made as a stored token goes into
    /// the audit log with its serial numbers; never the body otherwise (an activation lock's escrow key is secret).
    /// A call made with `--credentials` has no database to record it in.
    private func audit(_ request: DEPRequest) async throws {
        let reads: Set<String> = ["GET /account", "POST /devices"]
        guard let token, request.method != "GET", !reads.contains("\(request.method) \(request.path)") else { return }
        var after = ["method": request.method, "path": request.path]
        if let body = request.body,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let devices = object["devices"] as? [String]
        {
            after["devices"] = devices.joined(separator: ",")
        }
        try await storeOptions.withStore { store in
            try await CommandAudit.record(store, "dep.call", token, after: after)
        }
    }

    /// Apple's JSON with sorted keys and indentation; the text as is when it is not JSON.
    static func indented(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
            )
        else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: pretty, as: UTF8.self)
    }
}
