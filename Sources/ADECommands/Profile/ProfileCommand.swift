import ADECore
import ADESupport
import ArgumentParser
import DEPClient
import Foundation
import Logging

/// `ade profile create|list|show|edit|delete|assign|remove|default`: a token's enrollment profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Enrollment profiles of a token: define them at Apple, choose defaults, assign and remove them.",
        discussion: """
            A profile file is JSON with Apple's keys (profile_name, url, configuration_web_url, is_supervised, \
            is_mdm_removable, is_multi_user, await_device_configured, auto_advance_setup, support_phone_number, \
            support_email_address, org_magic, department, language, region, anchor_certs, supervising_host_certs, \
            skip_setup_items, is_return_to_service, do_not_use_profile_from_backup). It is checked against Apple's \
            rules before anything is sent. Devices that show no profile receive the token's default automatically \
            after every sync.
            """,
        subcommands: [
            Create.self, List.self, Show.self, Edit.self, Delete.self, Assign.self, Remove.self, Default.self,
        ]
    )

    /// Opens the store and the services a profile command needs.
    static func withService<T>(
        _ storeOptions: StoreOptions,
        _ body: (ProfileService, any ADEStore) async throws -> T
    ) async throws -> T {
        let logger = Logger.commandLine("ade.profile")
        return try await storeOptions.withTokenService(logger: logger) { tokens, store, _ in
            let assigner = ProfileAssigner(
                store: store,
                client: tokens.client,
                timeSource: SystemTimeSource(),
                logger: logger
            )
            let service = ProfileService(
                tokens: tokens,
                assigner: assigner,
                timeSource: SystemTimeSource(),
                logger: logger
            )
            return try await body(service, store)
        }
    }

    /// A profile file: Apple's JSON keys, at most 1 MB.
    static func readProfile(_ path: String) throws -> Profile {
        let bytes = try FileAccess.read(path, limit: 1 << 20)
        do {
            return try JSONCoding.decoder().decode(Profile.self, from: Data(bytes))
        } catch {
            throw CommandError(.jsonInvalid, path: path, parameters: ["detail": "not a profile object"])
        }
    }

    /// Every problem of a profile on standard error, then the first as the command's error.
    static func check(_ profile: Profile, locale: MessageLocale) throws {
        let problems = profile.problems()
        guard let first = problems.first else { return }
        for problem in problems.dropFirst() { Console.current.report(problem, locale: locale, catalogue: .bundled) }
        throw first
    }
}
