public import ADECore
public import Foundation
import NIOSSL
public import PostgresNIO

/// A PostgreSQL database as a `postgres://` URL names it, read as libpq reads it: `postgres://USER:PASSWORD@HOST:PORT/
/// DATABASE?sslmode=…`, a `host` parameter that is a folder meaning the server's Unix socket there, and the parts the
/// URL leaves out taken from PostgreSQL's own environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE`, `PGSSLMODE`).
///
/// The password comes from the URL, else the file `ADE_DATABASE_PASSWORD_FILE` names, else `PGPASSWORD`; it never
/// appears in ``description`` or in an error.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS (the `sslmode` values of libpq that `ade` supports).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS always, without checking the server's certificate.
        case require
        /// TLS always, the server's certificate checked against the system's authorities (or `sslrootcert`'s) and
        /// its name against the host.
        case verifyFull = "verify-full"
    }

    /// The environment variable naming a file that holds the password.
    public static let passwordFileVariable = "ADE_DATABASE_PASSWORD_FILE"

    /// The host name, or the folder of the server's Unix socket.
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// Certificate authorities (PEM) for `verify-full`; nil: the system's.
    public var rootCertificateFile: String?

    /// Whether `text` is a PostgreSQL URL (`postgres://` or `postgresql://`) rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Reads a URL.
    /// - Throws: ``StoreError`` `database_url_invalid` naming the part that is wrong (never the password), or
    ///   `unavailable` when the password file cannot be read.
    public init(url text: String, environment: [String: String]) throws {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw Self.invalid(text, field: "url", value: Self.redacted(text))
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { $1 }
        )
        let known: Set<String> = ["sslmode", "host", "port", "user", "password", "dbname", "sslrootcert"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw Self.invalid(text, field: "parameter", value: unknown)
        }
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }

        host =
            nonEmpty(query["host"]) ?? nonEmpty(components.host?.removingPercentEncoding)
            ?? nonEmpty(environment["PGHOST"]) ?? "/var/run/postgresql"
        if let portText = nonEmpty(query["port"]) ?? components.port.map(String.init)
            ?? nonEmpty(environment["PGPORT"])
        {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw Self.invalid(text, field: "port", value: portText)
            }
            self.port = port
        } else {
            port = 5432
        }
        user =
            nonEmpty(query["user"]) ?? nonEmpty(components.user?.removingPercentEncoding)
            ?? nonEmpty(environment["PGUSER"]) ?? NSUserName()
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database =
            nonEmpty(query["dbname"]) ?? nonEmpty(path.removingPercentEncoding)
            ?? nonEmpty(environment["PGDATABASE"]) ?? user
        let modeText = nonEmpty(query["sslmode"]) ?? nonEmpty(environment["PGSSLMODE"]) ?? TLSMode.prefer.rawValue
        guard let mode = TLSMode(rawValue: modeText) else {
            throw Self.invalid(text, field: "sslmode", value: modeText)
        }
        tlsMode = mode
        rootCertificateFile = nonEmpty(query["sslrootcert"])

        if let password = nonEmpty(query["password"]) ?? nonEmpty(components.password?.removingPercentEncoding) {
            self.password = password
        } else if let file = nonEmpty(environment[Self.passwordFileVariable]) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StoreError(
                    .unavailable,
                    parameters: ["path": Self.redacted(text), "detail": Self.passwordFileVariable + "=" + file]
                )
            }
            var password = String(decoding: data, as: UTF8.self)
            while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
            self.password = password
        } else {
            password = nonEmpty(environment["PGPASSWORD"])
        }
    }

    /// Whether ``host`` is the folder of a Unix socket.
    public var usesSocket: Bool { host.hasPrefix("/") }

    /// The URL without its password, for messages and logs.
    public var description: String {
        let address = usesSocket ? "localhost" : (host.contains(":") ? "[\(host)]" : host)
        var text = "postgres://\(user)@\(address):\(port)/\(database)"
        var parameters: [String] = []
        if usesSocket { parameters.append("host=\(host)") }
        if tlsMode != .prefer { parameters.append("sslmode=\(tlsMode.rawValue)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// postgres-nio's configuration for this database.
    /// - Throws: NIOSSL's error when `sslrootcert` cannot be read.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if usesSocket {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socketPath,
                username: user,
                password: password,
                database: database
            )
        } else {
            let tls = try tlsConfiguration()
            let mode: PostgresClient.Configuration.TLS =
                switch tlsMode {
                case .disable: .disable
                case .prefer: .prefer(tls)
                case .require, .verifyFull: .require(tls)
                }
            configuration = PostgresClient.Configuration(
                host: host,
                port: port,
                username: user,
                password: password,
                database: database,
                tls: mode
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The same, for one connection of its own (``PostgresStore``'s diagnosis of a pool that cannot connect).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        guard !usesSocket else {
            return PostgresConnection.Configuration(
                unixSocketPath: socketPath,
                username: user,
                password: password,
                database: database
            )
        }
        let context = try NIOSSLContext(configuration: try tlsConfiguration())
        let mode: PostgresConnection.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(context)
            case .require, .verifyFull: .require(context)
            }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: user,
            password: password,
            database: database,
            tls: mode
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private var socketPath: String { host + "/.s.PGSQL.\(port)" }

    /// TLS as `sslmode` asks: the server's certificate checked only for `verify-full`, against `sslrootcert`'s
    /// authorities when given, else the system's.
    private func tlsConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = tlsMode == .verifyFull ? .fullVerification : .none
        if tlsMode == .verifyFull, let rootCertificateFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificateFile))
        }
        return tls
    }

    /// A URL as a message may show it: the password, if any, replaced.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "postgres://…" }
        if components.password != nil { components.password = "***" }
        components.queryItems = components.queryItems?.map {
            $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0
        }
        return components.string ?? "postgres://…"
    }

    static func invalid(_ text: String, field: String, value: String) -> StoreError {
        StoreError(.databaseURLInvalid, parameters: ["url": redacted(text), "field": field, "value": value])
    }
}
