import ADECore
import Foundation
import Testing

@testable import ADEPostgres

/// `--database postgres://…` read as libpq reads it, the password never shown.
struct PostgresLocationTests {
    @Test func aFullURL() throws {
        let location = try PostgresLocation(
            url: "postgres://ade:s%3Acret@db.example.com:6543/estate?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            environment: [:]
        )
        #expect(location.host == "db.example.com" && location.port == 6543)
        #expect(location.user == "ade" && location.password == "s:cret" && location.database == "estate")
        #expect(location.tlsMode == .verifyFull && location.rootCertificateFile == "/etc/ca.pem")
        #expect(!location.usesSocket)
        #expect(location.description == "postgres://ade@db.example.com:6543/estate?sslmode=verify-full")
        #expect(!"\(location)".contains("s:cret") && !"\(location)".contains("cret"))
    }

    @Test func aSocketFolderAndPostgreSQLsEnvironment() throws {
        let location = try PostgresLocation(
            url: "postgresql:///?host=/run/postgresql",
            environment: ["PGUSER": "ops", "PGDATABASE": "ade", "PGPORT": "5433", "PGPASSWORD": "from-env"]
        )
        #expect(location.usesSocket && location.host == "/run/postgresql" && location.port == 5433)
        #expect(location.user == "ops" && location.database == "ade" && location.password == "from-env")
        #expect(location.tlsMode == .prefer)
        #expect(location.description == "postgres://ops@localhost:5433/ade?host=/run/postgresql")
    }

    @Test func thePasswordFileWinsOverPGPASSWORD() throws {
        try TemporaryDirectoryFixture.with { folder in
            let file = folder + "/password"
            try Data("from-file\n".utf8).write(to: URL(fileURLWithPath: file))
            let location = try PostgresLocation(
                url: "postgres://ade@db/ade",
                environment: ["ADE_DATABASE_PASSWORD_FILE": file, "PGPASSWORD": "from-env"]
            )
            #expect(location.password == "from-file")
            #expect(throws: StoreError(.unavailable)) {
                try PostgresLocation(
                    url: "postgres://ade@db/ade",
                    environment: ["ADE_DATABASE_PASSWORD_FILE": folder + "/missing"]
                )
            }
        }
    }

    @Test(arguments: [
        ("postgres://ade:secret@db/ade?sslmode=always", "sslmode", "always"),
        ("postgres://ade:secret@db:99999/ade", "port", "99999"),
        ("postgres://ade:secret@db/ade?application=x", "parameter", "application"),
        ("postgres://ade@db/ade?password=secret&port=x", "port", "x"),
    ])
    func whatIsWrongIsNamedAndThePasswordIsNot(url: String, field: String, value: String) throws {
        let error = try #require(throws: StoreError.self) { try PostgresLocation(url: url, environment: [:]) }
        #expect(error.code == .databaseURLInvalid)
        #expect(error.parameters["field"] == field && error.parameters["value"] == value)
        #expect(!error.parameters.values.contains { $0.contains("secret") }, "\(error.parameters)")
    }

    @Test func onlyPostgresURLsArePostgreSQL() {
        #expect(PostgresLocation.isURL("postgres://db/ade") && PostgresLocation.isURL("POSTGRESQL://db/ade"))
        #expect(!PostgresLocation.isURL("/var/lib/ade/ade.sqlite") && !PostgresLocation.isURL("postgres.sqlite"))
    }
}

/// A folder of its own for one test.
enum TemporaryDirectoryFixture {
    static func with<T>(_ body: (String) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ade-pg-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder.path)
    }
}
