import ADETesting
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `ade serve`, `ade user` and `ade api-token` as an admin's scripts run them: real processes of the built `ade`.
@Suite(.timeLimit(.minutes(3)))
struct ServeCommandTests {
    /// Runs `ade` with `input` on standard input; returns its exit status and what it printed.
    static func ade(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> (
        status: Int32, output: String, error: String
    ) {
        let process = Process()
        process.executableURL = CrashSafetyTests.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self)
        )
    }

    /// ``ade(_:input:environment:)`` on a thread of its own, for async tests: the wait for the process must not hold
    /// one of the few threads that also run the servers in this process (the simulator an `ade sync` talks to).
    static func adeOffThePool(_ arguments: [String], input: String = "", environment: [String: String] = [:])
        async throws -> (status: Int32, output: String, error: String)
    {
        try await onOwnThread { try ade(arguments, input: input, environment: environment) }
    }

    static func get(_ url: String, bearer: String? = nil, cookie: String? = nil) async throws -> (
        status: Int, body: String
    ) {
        var request = HTTPClientRequest(url: url)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func usersAndAPITokensFromTheCommandLine() throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.executable.path) else {
            Issue.record("ade is not built: run scripts/test, which builds it first")
            return
        }
        try TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let added = try Self.ade(
                ["user", "add", "admin", "--password-stdin"] + database,
                input: "long enough secret\n"
            )
            #expect(added.status == 0)
            #expect(added.output.contains("Added the user “admin”."))
            let again = try Self.ade(
                ["user", "add", "ADMIN", "--password-stdin"] + database,
                input: "long enough secret\n"
            )
            #expect(again.status == 1)
            #expect(again.error.contains("error [user_exists]"))
            let short = try Self.ade(["user", "add", "bob", "--password-stdin"] + database, input: "short\n")
            #expect(short.status == 1)
            #expect(short.error.contains("error [password_too_short]"))
            let none = try Self.ade(["user", "add", "carol"] + database)
            #expect(none.status == 1, "no terminal and no --password-stdin")
            #expect(none.error.contains("error [password_required]"))

            let list = try Self.ade(["user", "list", "--format", "json"] + database)
            let users = try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]]
            #expect(users?.map { $0["name"] as? String } == ["admin"])
            let unconfirmed = try Self.ade(["user", "delete", "admin"] + database)
            #expect(unconfirmed.status == 1)
            #expect(unconfirmed.error.contains("--yes"))
            #expect(
                try Self.ade(
                    ["user", "reset-password", "admin", "--password-stdin"] + database,
                    input: "another long secret\n"
                ).status == 0
            )

            let created = try Self.ade(
                ["api-token", "create", "ci", "--scope", "write", "--format", "json"] + database
            )
            #expect(created.status == 0)
            let token = try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String]
            #expect(token?["token"]?.hasPrefix("ade_") == true)
            #expect(token?["token"]?.count == 47)
            let tokens = try Self.ade(["api-token", "list"] + database)
            #expect(tokens.output.contains("ci\twrite\tnever used"))
            #expect(!tokens.output.contains(token?["token"] ?? "?"), "the value is never shown again")
            #expect(try Self.ade(["api-token", "revoke", "ci"] + database).status == 0)
            let missing = try Self.ade(["api-token", "revoke", "ci"] + database)
            #expect(missing.error.contains("error [api_token_not_found]"))
        }
    }

    @Test func serveAnswersThenStopsOnSIGTERM() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.executable.path) else {
            Issue.record("ade is not built: run scripts/test, which builds it first")
            return
        }
        try await TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let process = Process()
            process.executableURL = CrashSafetyTests.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--log-level", "trace"] + database
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            // The first lines: where it listens, and the one-time setup link (no user yet).
            var printed = ""
            while !printed.contains("/setup?token=") {
                let data = stdout.fileHandleForReading.availableData
                guard !data.isEmpty else { break }
                printed += String(decoding: data, as: UTF8.self)
            }
            let base = try #require(printed.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+/).map { String($0.0) })
            let setup = try #require(printed.firstMatch(of: /(http:\/\/\S+\/setup\?token=\S+)/).map { String($0.1) })
            #expect(try await Self.get(base + "/healthz").status == 200)
            #expect(try await Self.get(base + "/readyz").status == 200)
            #expect(try await Self.get(setup).status == 200)

            let created = try Self.ade(["api-token", "create", "reader", "--format", "json"] + database)
            let value = try #require(
                (try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["token"]
            )
            let tokens = try await Self.get(base + "/api/v1/tokens", bearer: value)
            #expect(tokens.status == 200)
            #expect(tokens.body == #"{"tokens":[]}"#)
            _ = try await Self.get(base + "/", cookie: "ade_session=cookie-value-never-logged")
            _ = try Self.ade(["api-token", "revoke", "reader"] + database)
            #expect(try await Self.get(base + "/api/v1/tokens", bearer: value).status == 401, "revoked at once")

            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("http.path=/api/v1/tokens"))
            #expect(!log.contains(value), "no token in the logs, even at trace level")
            #expect(!log.contains(setup.split(separator: "=").last.map(String.init) ?? "?"), "nor the setup token")
            #expect(!log.lowercased().contains("authorization"))
            #expect(!log.contains("cookie-value-never-logged"))
        }
    }

    @Test func badServeOptionsAreRefusedClearly() throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.executable.path) else {
            Issue.record("ade is not built: run scripts/test, which builds it first")
            return
        }
        try TemporaryDirectory.with { directory in
            let database = ["--database", directory.path("ade.sqlite")]
            let badAddress = try Self.ade(["serve", "--listen", "localhost"] + database)
            #expect(badAddress.status == 1)
            #expect(badAddress.error.contains("error [listen_invalid]"))
            let tls = try Self.ade(["serve", "--tls-certificate", directory.path("cert.pem")] + database)
            #expect(tls.status == 1)
            #expect(tls.error.contains("error [tls_incomplete]"))
            let missing = try Self.ade(
                [
                    "serve", "--listen", "127.0.0.1:0", "--tls-certificate", directory.path("cert.pem"), "--tls-key",
                    directory.path("key.pem"),
                ]
                    + database
            )
            #expect(missing.status == 1)
            #expect(missing.error.contains("error [tls_invalid]"))

            // An address another program holds is named.
            let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(holder) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) }
            }
            #expect(bound == 0)
            _ = listen(holder, 1)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(holder, $0, &length) }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let taken = try Self.ade(["serve", "--listen", "127.0.0.1:\(port)", "--no-sync"] + database)
            #expect(taken.status == 1)
            #expect(taken.error.contains("error [address_in_use]"))
            #expect(taken.error.contains("127.0.0.1:\(port)"))
        }
    }

    @Test func theDemoShowsEveryStateThenStopsOnCtrlC() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashSafetyTests.executable.path) else {
            Issue.record("ade is not built: run scripts/test, which builds it first")
            return
        }
        let process = Process()
        process.executableURL = CrashSafetyTests.executable
        process.arguments = ["demo", "--listen", "127.0.0.1:0"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var printed = ""
        while !printed.contains("Stop with Ctrl-C") {
            let data = stdout.fileHandleForReading.availableData
            guard !data.isEmpty else { break }
            printed += String(decoding: data, as: UTF8.self)
        }
        let console = try #require(printed.firstMatch(of: /Console:\s+(\S+)/).map { String($0.1) })
        let password = try #require(printed.firstMatch(of: /Password:\s+(\S+)/).map { String($0.1) })
        // The demo's database, for `ade doctor --database`: there, and private.
        let database = try #require(printed.firstMatch(of: /Database:\s+(\S+)/).map { String($0.1) })
        #expect(FileManager.default.fileExists(atPath: database))
        #expect(printed.contains("ade doctor --database \(database)"))

        // The sign-in page first: its anti-forgery cookie and field.
        let page = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: console + "/login"),
            timeout: .seconds(10)
        )
        let signInCookie = try #require(page.headers.first(name: "Set-Cookie")?.split(separator: ";").first)
        let pageBody = String(buffer: try await page.body.collect(upTo: 1 << 20))
        let signInField = try #require(pageBody.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
        var login = HTTPClientRequest(url: console + "/login")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        login.headers.add(name: "Cookie", value: String(signInCookie))
        login.body = .bytes(ByteBuffer(string: "name=admin&password=\(password)&next=%2F&csrf=\(signInField)"))
        // Without following the redirect, so that the session cookie is read.
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        let signedIn: HTTPClientResponse
        do {
            signedIn = try await client.execute(login, timeout: .seconds(10))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        let cookie = try #require(signedIn.headers.first(name: "Set-Cookie")?.split(separator: ";").first)

        // Every token has synced once (or failed to): each shows its state.
        var states: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: console + "/api/v1/tokens")
            request.headers.add(name: "Cookie", value: String(cookie))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            let tokens = object?["tokens"] as? [[String: Any]] ?? []
            states = Dictionary(
                uniqueKeysWithValues: tokens.compactMap { token in
                    (token["name"] as? String).map { ($0, token["state"] as? String ?? "") }
                }
            )
            if !states.values.contains("never_synced"), states.count == 5 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(
            states == [
                "Campus iPads": "healthy", "Staff Macs": "expiring", "Library Carts": "expired",
                "Retail Stores": "terms_not_accepted", "Warehouse": "rejected",
            ]
        )

        // The demo panel: a fault switched on makes the healthy token fall into an error state; off, it recovers.
        func get(_ path: String) async throws -> String {
            var request = HTTPClientRequest(url: console + path)
            request.headers.add(name: "Cookie", value: String(cookie))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return String(buffer: try await response.body.collect(upTo: 1 << 20))
        }
        let panel = try await get("/demo")
        let csrf = try #require(panel.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
        let token = try JSONSerialization.jsonObject(with: Data(try await get("/api/v1/tokens/Campus%20iPads").utf8))
        let uuid = try #require((token as? [String: Any])?["server_uuid"] as? String)
        for (state, expected) in [("on", "rejected"), ("off", "healthy")] {
            var toggle = HTTPClientRequest(url: console + "/demo/\(uuid)/tokenRevoked")
            toggle.method = .POST
            toggle.headers.add(name: "Cookie", value: String(cookie))
            toggle.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            toggle.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&state=\(state)"))
            _ = try await HTTPClient.shared.execute(toggle, timeout: .seconds(10))
            var seen = ""
            let until = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < until {
                let object = try JSONSerialization.jsonObject(
                    with: Data(try await get("/api/v1/tokens/Campus%20iPads").utf8)
                )
                seen = (object as? [String: Any])?["state"] as? String ?? ""
                if seen == expected { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(seen == expected, "fault \(state)")
        }

        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.contains("temporary database is deleted"))
    }
}

/// A port another program holds: `ade demo` and `ade simulator` name it and exit 1, instead of hanging.
@Suite(.timeLimit(.minutes(1)))
struct PortInUseTests {
    @Test func theDemoNamesTheTakenPortAndStops() async throws {
        try await SimulatorHarness.with { harness in
            let port = try #require(harness.baseURL.port)
            let result = await CommandHarness.run(["demo", "--listen", "127.0.0.1:\(port)"])
            #expect(result.status == 1)
            #expect(result.error.contains("error [address_in_use]"), "\(result.error)")
            #expect(result.error.contains("127.0.0.1:\(port)") && result.error.contains("--listen"))
        }
    }

    @Test func theSimulatorNamesTheTakenPort() async throws {
        try await SimulatorHarness.with { harness in
            let port = try #require(harness.baseURL.port)
            let result = await CommandHarness.run(["simulator", "--port", String(port)])
            #expect(result.status == 1)
            #expect(result.error.contains("127.0.0.1:\(port)") && result.error.contains("--port 0"), "\(result.error)")
        }
    }
}
