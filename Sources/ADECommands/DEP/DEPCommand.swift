import ArgumentParser

/// `ade dep …`: raw calls to Apple's device enrollment service, printing Apple's JSON answer.
struct DEPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dep",
        abstract: "Call Apple's device enrollment service directly and print its JSON answer.",
        discussion: """
            The admin's debugging tool: every endpoint, with a token's credentials (--credentials), against Apple or \
            a simulator (--url). Errors print one line with the error code and what to do, and exit with status 1.
            """,
        subcommands: [
            Account.self, Fetch.self, Sync.self, Devices.self, Disown.self, ActivationLock.self,
            ReplacementDetails.self, DefineProfile.self, GetProfile.self, Assign.self, RemoveProfile.self,
            BetaTokens.self, Discovery.self,
        ]
    )
}
