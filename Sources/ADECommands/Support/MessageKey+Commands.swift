import ADECore

extension MessageKey {
    static let cliErrorLine: MessageKey = "cli.error.line"

    static let keypairWritten: MessageKey = "cli.token.keypair.written"
    static let keypairKeepSecret: MessageKey = "cli.token.keypair.keep_secret"
    static let keypairValidity: MessageKey = "cli.token.keypair.validity"
    static let keypairNext: MessageKey = "cli.token.keypair.next"

    static let decryptLabelConsumerKey: MessageKey = "cli.token.decrypt.label.consumer_key"
    static let decryptLabelConsumerSecret: MessageKey = "cli.token.decrypt.label.consumer_secret"
    static let decryptLabelAccessToken: MessageKey = "cli.token.decrypt.label.access_token"
    static let decryptLabelAccessSecret: MessageKey = "cli.token.decrypt.label.access_secret"
    static let decryptLabelIssued: MessageKey = "cli.token.decrypt.label.issued"
    static let decryptLabelExpires: MessageKey = "cli.token.decrypt.label.expires"
    static let decryptValidFor: MessageKey = "cli.token.decrypt.valid_for"
    static let decryptValidUnderADay: MessageKey = "cli.token.decrypt.valid_under_a_day"
    static let decryptExpiredAgo: MessageKey = "cli.token.decrypt.expired_ago"
    static let decryptExpiredUnderADay: MessageKey = "cli.token.decrypt.expired_under_a_day"
    static let decryptUnknown: MessageKey = "cli.token.decrypt.unknown"
}

extension MessageKey {
    static let depDisownWarning: MessageKey = "cli.dep.disown.warning"
    static let simulatorListening: MessageKey = "cli.simulator.listening"
    static let simulatorServer: MessageKey = "cli.simulator.server"
    static let simulatorCredentialsWritten: MessageKey = "cli.simulator.credentials_written"
}
