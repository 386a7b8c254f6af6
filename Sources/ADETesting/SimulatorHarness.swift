public import ADESupport
public import DEPClient
public import DEPSimulator
public import Foundation
import Hummingbird
public import Logging

/// Runs a ``DEPSimulator`` in process on a free loopback port for the length of a test.
public struct SimulatorHarness: Sendable {
    /// The simulator.
    public let simulator: DEPSimulator
    /// Where it listens: `http://127.0.0.1:<port>`.
    public let baseURL: URL

    /// The default server as a client addresses it.
    public var defaultServer: DEPServer {
        get throws {
            try server(simulator.defaultServerUUID)
        }
    }

    /// A server of the simulator as a client addresses it, with its current credentials.
    public func server(_ uuid: String, name: String? = nil) throws -> DEPServer {
        DEPServer(name: name ?? uuid, credentials: try simulator.credentials(server: uuid), baseURL: baseURL)
    }

    /// Runs `body` with a client of the simulator on a real HTTP transport, shut down afterwards.
    /// - Parameters:
    ///   - configuration: The client's settings; by default no retries, so each test states the policy it checks.
    ///   - timeSource: The client's clock.
    ///   - logger: Where the client logs.
    public func withClient<T: Sendable>(
        configuration: DEPClient.Configuration = DEPClient.Configuration(retry: .none),
        timeSource: any TimeSource = SystemTimeSource(),
        logger: Logger = SimulatorHarness.quietLogger,
        random: @escaping @Sendable () -> Double = { 0 },
        _ body: (DEPClient) async throws -> T
    ) async throws -> T {
        let transport = try HTTPClientTransport()
        let client = DEPClient(
            configuration: configuration,
            transport: transport,
            timeSource: timeSource,
            logger: logger,
            random: random
        )
        do {
            let result = try await body(client)
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    /// A logger that drops everything (tests that read logs pass their own).
    public static let quietLogger = Logger(label: "ade.test") { _ in SwiftLogNoOpLogHandler() }

    /// Starts a simulator, runs `body`, and stops the simulator.
    public static func with<T: Sendable>(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        _ body: @escaping @Sendable (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let simulator = DEPSimulator(configuration: configuration, logger: quietLogger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = simulator.application(host: "127.0.0.1", port: 0) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await application.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                throw SimulatorHarnessError(message: "the simulator did not start")
            }
            let harness = SimulatorHarness(simulator: simulator, baseURL: URL(string: "http://127.0.0.1:\(port)")!)
            group.addTask { try await body(harness) }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw SimulatorHarnessError(message: "the simulator stopped before the test ended")
        }
    }
}

/// The simulator could not be started or stopped early.
public struct SimulatorHarnessError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
