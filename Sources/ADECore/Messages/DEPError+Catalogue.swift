public import DEPClient

extension DEPError: CataloguedError {
    public var catalogueSubsystem: String { "dep" }
    public var catalogueCode: String { code.rawValue }

    /// The endpoint, the HTTP status (or `none`) and the error's parameters; never Apple's body.
    public var catalogueArguments: [String: MessageArgument] {
        var arguments = parameters.mapValues(MessageArgument.string)
        arguments["endpoint"] = .string(endpoint)
        arguments["status"] = .string(status.map(String.init) ?? "none")
        if let retryAfter {
            arguments["retryAfterSeconds"] = .int(Int(retryAfter.components.seconds))
        }
        return arguments
    }
}
