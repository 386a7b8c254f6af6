import ArgumentParser

/// `ade token …`: server tokens and the key pairs they are encrypted to.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage ABM/ASM server tokens and their key pairs.",
        subcommands: [
            TokenKeypairCommand.self, TokenCreateCommand.self, TokenCertificateCommand.self, TokenUploadCommand.self,
            TokenImportCommand.self, TokenListCommand.self, TokenShowCommand.self, TokenHistoryCommand.self,
            TokenDeleteCommand.self,
            TokenDecryptCommand.self,
        ]
    )
}
