import ADECore
import ADESupport
import ArgumentParser
import DEPClient
import Foundation

extension DEPCommand {
    /// `ade dep define-profile --file PROFILE.json`
    struct DefineProfile: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "define-profile",
            abstract: "POST /profile: define an enrollment profile from a JSON file (Apple's keys)."
        )
        @Option(name: .long, help: "The profile as JSON, with Apple's keys (profile_name, url, …).") var file: String
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            let bytes = try FileAccess.read(file, limit: 1 << 20)
            let profile: Profile
            do {
                profile = try JSONCoding.decoder().decode(Profile.self, from: Data(bytes))
            } catch {
                throw CommandError(.jsonInvalid, path: file, parameters: ["detail": "not a profile object"])
            }
            if let issue = profile.validationIssues().first {
                // Apple would refuse it with this code: say so before sending.
                throw DEPError(issue.code, endpoint: "/profile", parameters: ["field": issue.field])
            }
            return try DEPRequest("POST", "/profile", body: profile)
        }
    }

    /// `ade dep profile --uuid UUID`
    struct GetProfile: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "profile",
            abstract: "GET /profile: a defined profile."
        )
        @Option(name: .long, help: "The profile's UUID.") var uuid: String
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest("GET", "/profile", query: [("profile_uuid", uuid)])
        }
    }

    /// `ade dep assign --uuid UUID SERIAL…`
    struct Assign: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /profile/devices: assign a profile to up to 1000 devices (results per device)."
        )
        @Option(name: .long, help: "The profile's UUID.") var uuid: String
        @Argument(help: "Serial numbers.") var serials: [String]
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest(
                "POST",
                "/profile/devices",
                body: ProfileDevicesRequest(profileUUID: uuid, devices: serials)
            )
        }
    }

    /// `ade dep remove-profile SERIAL… [--uuid UUID]`
    struct RemoveProfile: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-profile",
            abstract: "DELETE /profile/devices: remove the profile of up to 1000 devices."
        )
        @Option(name: .long, help: "The profile's UUID (Apple ignores it).") var uuid: String?
        @Argument(help: "Serial numbers.") var serials: [String]
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest(
                "DELETE",
                "/profile/devices",
                body: ProfileDevicesRequest(profileUUID: uuid, devices: serials)
            )
        }
    }

    /// `ade dep beta-tokens`
    struct BetaTokens: DEPEndpointCommand {
        static let configuration = CommandConfiguration(
            commandName: "beta-tokens",
            abstract: "GET /os-beta-enrollment/tokens: beta enrollment tokens (AppleSeed for IT)."
        )
        @OptionGroup var connection: DEPConnectionOptions
        @OptionGroup var global: GlobalOptions

        func request() throws -> DEPRequest {
            try DEPRequest("GET", "/os-beta-enrollment/tokens")
        }
    }

    /// `ade dep discovery get|set URL|delete`
    struct Discovery: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "/account-driven-enrollment/profile: the MDM service discovery URL.",
            subcommands: [Get.self, Set.self, Delete.self]
        )

        struct Get: DEPEndpointCommand {
            static let configuration = CommandConfiguration(abstract: "Print the service discovery URL.")
            @OptionGroup var connection: DEPConnectionOptions
            @OptionGroup var global: GlobalOptions

            func request() throws -> DEPRequest {
                try DEPRequest("GET", "/account-driven-enrollment/profile")
            }
        }

        struct Set: DEPEndpointCommand {
            static let configuration = CommandConfiguration(abstract: "Set the service discovery URL (https).")
            @Argument(help: "The MDM service discovery URL.") var url: String
            @OptionGroup var connection: DEPConnectionOptions
            @OptionGroup var global: GlobalOptions

            func request() throws -> DEPRequest {
                try DEPRequest(
                    "POST",
                    "/account-driven-enrollment/profile",
                    body: AccountDrivenEnrollmentProfile(mdmServiceDiscoveryURL: url)
                )
            }
        }

        struct Delete: DEPEndpointCommand {
            static let configuration = CommandConfiguration(abstract: "Delete the service discovery URL.")
            @OptionGroup var connection: DEPConnectionOptions
            @OptionGroup var global: GlobalOptions

            func request() throws -> DEPRequest {
                try DEPRequest("DELETE", "/account-driven-enrollment/profile")
            }
        }
    }
}
