import ADECore
import ADESupport
import ArgumentParser

/// One call to Apple's service, as an `ade dep` command makes it.
struct DEPRequest {
    var method: String
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]?

    init(_ method: String, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = nil as Int?) throws
    {
        self.method = method
        self.path = path
        self.query = query
        if let body {
            self.body = try JSONCoding.encode(body)
        }
    }
}

/// An `ade dep` command: it names its call; running it makes the call and prints Apple's answer, or one error line.
protocol DEPEndpointCommand: AsyncParsableCommand {
    var connection: DEPConnectionOptions { get }
    var global: GlobalOptions { get }

    /// The call to make; a command may refuse here (bad input, missing confirmation) before anything is sent.
    func request() throws -> DEPRequest
}

extension DEPEndpointCommand {
    func run() async throws {
        try await reportingErrors(locale: global.locale) {
            try await connection.call(try request())
        }
    }
}
