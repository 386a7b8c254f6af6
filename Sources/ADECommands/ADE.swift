public import ArgumentParser

/// The `ade` command: the root of every subcommand.
public struct ADE: AsyncParsableCommand {
    /// The version `ade --version` prints.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "ade",
        abstract: "Automated Device Enrollment for Apple Business Manager and Apple School Manager.",
        discussion: """
            ade holds the server tokens of ABM/ASM MDM servers, keeps their devices in sync, assigns enrollment \
            profiles, and says which token is in an error state, why, and how to fix it.
            """,
        version: version,
        subcommands: [
            DemoCommand.self, ServeCommand.self, TokenCommand.self, KeyCommand.self, SyncCommand.self,
            DevicesCommand.self, ProfileCommand.self, WebhookCommand.self, AlertCommand.self, AuditCommand.self,
            DoctorCommand.self, UserCommand.self, APITokenCommand.self, StoreCommand.self, DEPCommand.self,
            SimulatorCommand.self, BenchCommand.self, NodesCommand.self,
        ]
    )

    public init() {}
}
