import ADECore
import ArgumentParser
import DEPClient
import Foundation

extension DEPCommand {
    /// `ade dep account`
    struct Account: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET /account: the MDM server, its organisation and page limits."
        )
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest("GET", "/account")
        }
    }

    /// `ade dep fetch [--cursor C] [--limit N]`
    struct Fetch: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /server/devices: one page of every device assigned to the server."
        )
        @Option(name: .long, help: "The cursor of the previous page; none for the first.") var cursor: String?
        @Option(name: .long, help: "Devices per page (Apple: at most 1000).") var limit: Int?
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest(
                "POST",
                "/server/devices",
                body: DevicePageRequest(cursor: cursor, limit: limit)
            )
        }
    }

    /// `ade dep sync --cursor C [--limit N]`
    struct Sync: DEPEndpointCommand {
        static let configuration = CommandConfiguration(abstract: "POST /devices/sync: changes since a cursor.")
        @Option(name: .long, help: "The cursor of the last fetch or sync.") var cursor: String
        @Option(name: .long, help: "Records per page (Apple: at most 1000).") var limit: Int?
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest(
                "POST",
                "/devices/sync",
                body: DevicePageRequest(cursor: cursor, limit: limit)
            )
        }
    }

    /// `ade dep devices SERIAL…`
    struct Devices: DEPEndpointCommand {
        static let configuration = CommandConfiguration(abstract: "POST /devices: details of up to 1000 devices.")
        @Argument(help: "Serial numbers.") var serials: [String]
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest("POST", "/devices", body: DeviceListRequest(devices: serials))
        }
    }

    /// `ade dep disown SERIAL… --yes-release-permanently`
    struct Disown: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /devices/disown: release devices from the organisation, permanently.",
            discussion: "Lists the devices and does nothing unless --yes-release-permanently is given."
        )
        @Argument(help: "Serial numbers.") var serials: [String]
        @Flag(name: .long, help: "Confirm that the devices leave the organisation for good.")
        var yesReleasePermanently = false
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            guard yesReleasePermanently else {
                Console.current.writeError(
                    MessageCatalogue.bundled.string(
                        .depDisownWarning,
                        locale: global.locale,
                        ["count": .int(serials.count), "serials": .string(serials.joined(separator: ", "))]
                    ) + "\n"
                )
                throw CommandError(.confirmationRequired, parameters: ["flag": "--yes-release-permanently"])
            }
            return try DEPRequest("POST", "/devices/disown", body: DeviceListRequest(devices: serials))
        }
    }

    /// `ade dep activation-lock SERIAL [--escrow-key K] [--lost-message M]`
    struct ActivationLock: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "activation-lock",
            abstract: "POST /device/activationlock: lock a device with an escrow key."
        )
        @Argument(help: "The serial number.") var serial: String
        @Option(name: .long, help: "The escrow key: the 64 hex digits of the bypass code's hash.") var escrowKey:
            String?
        @Option(name: .long, help: "A message shown on the device.") var lostMessage: String?
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest(
                "POST",
                "/device/activationlock",
                body: ActivationLockRequest(device: serial, escrowKey: escrowKey, lostMessage: lostMessage)
            )
        }
    }

    /// `ade dep replacement-details SERIAL`
    struct ReplacementDetails: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "replacement-details",
            abstract: "GET /device/replacementDetails: the device a replacement replaced."
        )
        @Argument(help: "The serial number.") var serial: String
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest("GET", "/device/replacementDetails", query: [("device", serial)])
        }
    }
}
