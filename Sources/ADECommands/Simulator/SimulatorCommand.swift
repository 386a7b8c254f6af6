import ADECore
import ArgumentParser
import DEPSimulator
import Foundation
import Hummingbird
import Logging
import ServerToken

/// `ade simulator --port P [--host H] [--devices N] [--seed S] [--credentials-out FILE] [--config FILE]`
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run a simulator of Apple's device enrollment service and of ABM's token issuing.",
        discussion: """
            Apple's endpoints answer at Apple's paths; /abm is a minimal Apple Business Manager (upload a public key, \
            download a token, accept terms); /control is the control API (faults, clock, device changes). Point any \
            MDM at it, or use 'ade dep --url'. Stops cleanly on Ctrl-C or SIGTERM.
            """
    )

    @Option(name: .long, help: "The port to listen on (0 picks a free one).") var port: Int = 8090
    @Option(name: .long, help: "The address to bind.") var host: String = "127.0.0.1"
    @Option(name: .long, help: "Devices of the default MDM server (overrides the configuration file).") var devices:
        Int?
    @Option(name: .long, help: "The seed of every generated device and credential.") var seed: UInt64?
    @Option(name: .long, help: "Write the default MDM server's credentials here (mode 0600), as a decrypted token.")
    var credentialsOut: String?
    @Option(name: .long, help: "A JSON configuration: organisation, servers, faults, limits (see the README).")
    var config: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locale = global.locale
        try await reportingErrors(locale: locale) {
            var configuration = SimulatorConfiguration()
            if let config {
                let bytes = try FileAccess.read(config, limit: 1 << 20)
                do {
                    configuration = try JSONDecoder().decode(SimulatorConfiguration.self, from: Data(bytes))
                } catch {
                    throw CommandError(.configurationInvalid, path: config, parameters: ["detail": "\(error)"])
                }
            }
            if let seed { configuration.seed = seed }
            if let devices {
                if configuration.servers.isEmpty {
                    configuration.servers = [.init(name: "ade simulator", devices: devices)]
                } else {
                    configuration.servers[0].devices = devices
                }
            }
            if configuration.servers.isEmpty {
                configuration.servers = SimulatorConfiguration().servers
            }
            var configuredLogger = Logger(label: "ade.simulator") { StreamLogHandler.standardError(label: $0) }
            configuredLogger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let logger = configuredLogger
            let simulator = DEPSimulator(configuration: configuration, logger: logger)
            let credentialsOut = self.credentialsOut
            let host = self.host
            let application = simulator.application(host: host, port: port) { port in
                let catalogue = MessageCatalogue.bundled
                let url = "http://\(host):\(port)"
                Console.current.line(catalogue.string(.simulatorListening, locale: locale, ["url": .string(url)]))
                for server in simulator.servers {
                    Console.current.line(
                        catalogue.string(
                            .simulatorServer,
                            locale: locale,
                            [
                                "name": .string(server.name), "uuid": .string(server.uuid),
                                "devices": .int(server.devices),
                            ]
                        )
                    )
                }
                guard let credentialsOut else { return }
                do {
                    let credentials = try simulator.credentials(server: simulator.defaultServerUUID)
                    try FileAccess.writeNew(
                        credentialsOut,
                        contents: Array((credentials.tokenJSON + "\n").utf8),
                        mode: 0o600,
                        replacing: true
                    )
                    Console.current.line(
                        catalogue.string(
                            .simulatorCredentialsWritten,
                            locale: locale,
                            ["path": .string(credentialsOut), "url": .string(url)]
                        )
                    )
                } catch let error as any CataloguedError {
                    Console.current.report(error, locale: locale, catalogue: catalogue)
                } catch {
                    logger.error("Could not write the credentials: \(error)")
                }
            }
            try await CommandError.serving("\(host):\(port)", option: "--port", free: "--port 0") {
                try await application.runService()
            }
        }
    }
}
