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
    var credentials: String

    @Option(name: .long, help: "The service's base URL, e.g. a simulator's. Default: https://mdmenrollment.apple.com.")
    var url: String?

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

    /// The token to call as.
    func server() throws -> DEPServer {
        let bytes = try FileAccess.read(credentials, limit: Self.credentialsLimit)
        let parsed: OAuthCredentials
        do {
            parsed = try OAuthCredentials(payload: bytes)
        } catch {
            throw CommandError(.credentialsInvalid, path: credentials)
        }
        var baseURL = DEPServer.appleBaseURL
        if let url {
            guard let parsedURL = URL(string: url), let scheme = parsedURL.scheme?.lowercased(),
                scheme == "https" || scheme == "http", parsedURL.host != nil
            else {
                throw CommandError(.urlInvalid, parameters: ["url": url])
            }
            baseURL = parsedURL
        }
        return DEPServer(name: parsed.consumerKey, credentials: parsed, baseURL: baseURL)
    }

    /// Runs `body` with a client on the production transport (HTTPS proxy from `HTTPS_PROXY`/`NO_PROXY`).
    func withClient<T>(_ body: (DEPClient, DEPServer) async throws -> T) async throws -> T {
        let server = try server()
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
            logger: Logger(label: "ade.dep") { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
            }
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
        guard !response.body.isEmpty else { return }
        Console.current.line(Self.indented(response.body))
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
