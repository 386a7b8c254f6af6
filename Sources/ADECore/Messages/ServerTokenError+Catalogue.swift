public import ServerToken

extension ServerTokenError: CataloguedError {
    public var catalogueSubsystem: String { "server_token" }
    public var catalogueCode: String { code.rawValue }
    public var catalogueArguments: [String: MessageArgument] { parameters.mapValues(MessageArgument.string) }
}
