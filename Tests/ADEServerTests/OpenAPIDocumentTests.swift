import ADECore
import ADESupport
import ADETesting
import DEPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ADEServer

/// The OpenAPI document and the router agree: every route is documented, every documented route exists, and the
/// document is valid OpenAPI 3.1 (checked by Python's openapi-spec-validator).
struct OpenAPIDocumentTests {
    /// `METHOD /path/{parameter}` of every operation in the document.
    static func documentedOperations() throws -> Set<String> {
        let url = try #require(OpenAPIDocument.url)
        let text = try String(contentsOf: url, encoding: .utf8)
        var operations: Set<String> = []
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = line.wholeMatch(of: /\ {2}(\/\S+):/) {
                path = String(match.1)
            } else if let match = line.wholeMatch(of: /\ {4}(get|put|post|delete|patch|head|options):/), let path {
                operations.insert("\(match.1.uppercased()) \(path)")
            } else if !line.hasPrefix(" "), !line.isEmpty {
                path = nil
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let store = MemoryStore()
        let service = TokenService(
            store: store,
            box: SecretBox(key: .generate()),
            client: DEPClient(transport: UnavailableTransport(), logger: SimulatorHarness.quietLogger),
            timeSource: SystemTimeSource(),
            allowCustomURL: true,
            logger: SimulatorHarness.quietLogger
        )
        let router = try await buildRouter(
            configuration: ServerConfiguration(passwordCost: 4),
            dependencies: ServerDependencies(
                store: store,
                tokens: service,
                scheduler: nil,
                timeSource: SystemTimeSource()
            )
        )
        let routes = Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/")
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    .joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            }
            .filter { $0.contains(" /api/v1") }
        )
        let documented = try Self.documentedOperations()
        #expect(
            routes.count == 30,
            "14 for tokens, devices, runs, transitions and alerts; 11 for profiles, assignments and refreshes; 5 for webhooks"
        )
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.yaml")
        #expect(documented.subtracting(routes).isEmpty, "documented routes the router does not have")
    }

    @Test func theDocumentIsValidOpenAPI() throws {
        let url = try #require(OpenAPIDocument.url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, yaml; from openapi_spec_validator import validate; validate(yaml.safe_load(open(sys.argv[1]))); print('valid')",
            url.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("valid"))
    }

    @Test func theDocumentIsServed() async throws {
        try await ServerFixture.with(enroll: false) { _, client in
            let response = try await client.execute(uri: "/api/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
        }
    }
}

/// A transport for a router that is only listed, never called.
struct UnavailableTransport: DEPTransport {
    func send(_ request: DEPHTTPRequest, timeout: Duration) async throws -> DEPHTTPResponse {
        throw DEPError(.unreachable, endpoint: request.url.path)
    }
}
