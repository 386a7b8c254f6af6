import Logging

extension Logger {
    /// A command's logger: warnings and errors on standard error, so that standard output stays the result alone.
    static func commandLine(_ label: String) -> Logger {
        Logger(label: label) { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
    }
}
