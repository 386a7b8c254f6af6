import ADECore
import ADETesting
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import ADENotify

/// Real e-mail through a real SMTP server (aiosmtpd, installed by scripts/test) that the test starts on loopback
/// with STARTTLS and AUTH, read back from the files it saved.
@Suite(.timeLimit(.minutes(2)))
struct SMTPClientTests {
    /// The sink's process, its port and where it saves messages.
    struct Sink {
        let process: Process
        let port: Int
        let maildir: String
        let certificate: NIOSSLCertificate
        /// The certificate's PEM file (what `ADE_EXTRA_CA_FILE` names).
        let certificatePath: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts `scripts/smtp-sink.py` with a new certificate for `localhost`, runs `body`, stops it.
    static func withSink(implicitTLS: Bool = false, _ body: (Sink) async throws -> Void) async throws {
        try await TemporaryDirectory.with { directory in
            let key = directory.path("key.pem")
            let certificate = directory.path("cert.pem")
            try OpenSSL.run([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-addext", "basicConstraints=critical,CA:TRUE",
            ])
            let maildir = directory.path("mail")
            try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)
            let portFile = directory.path("port")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                [
                    "python3", repository.appendingPathComponent("scripts/smtp-sink.py").path, "--cert", certificate,
                    "--key", key, "--user", "alerts@example.com", "--password", "s3cret pass", "--maildir", maildir,
                    "--port-file", portFile,
                ] + (implicitTLS ? ["--implicit-tls"] : [])
            try process.run()
            defer {
                // SIGKILL: a signal the test runner may have blocked for its children cannot keep the sink alive.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            var port: Int?
            for _ in 0..<600 where port == nil {  // up to 30 s: python starts slowly on a loaded machine
                port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap(Int.init)
                if port == nil {
                    guard process.isRunning else {
                        Issue.record("scripts/smtp-sink.py stopped: is aiosmtpd installed? (scripts/test installs it)")
                        return
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let sink = Sink(
                process: process,
                port: try #require(port, "the SMTP sink did not start"),
                maildir: maildir,
                certificate: try NIOSSLCertificate(file: certificate, format: .pem),
                certificatePath: certificate
            )
            try await body(sink)
        }
    }

    static func client(
        _ sink: Sink,
        security: SMTPClient.Configuration.Security = .startTLS,
        password: String = "s3cret pass",
        trusted: Bool = true
    ) -> SMTPClient {
        SMTPClient(
            configuration: .init(
                host: "localhost",
                port: sink.port,
                security: security,
                username: "alerts@example.com",
                password: password,
                extraTrustRoots: trusted ? [sink.certificate] : [],
                timeout: .seconds(20)
            )
        )
    }

    static let message = SMTPClient.Message(
        from: "alerts@example.com",
        fromName: "ade",
        to: ["it-team@example.com", "admin@example.com"],
        subject: "Jeton « Campus » : action requise",
        body: "Le jeton Campus a expiré.\n.\nRenouvelez-le dans Apple Business Manager.\n"
    )

    @Test func aMessageArrivesOverSTARTTLSWithAuthentication() async throws {
        try await Self.withSink { sink in
            try await Self.client(sink).send(Self.message)
            let envelope =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: sink.maildir + "/1.json"))
                ) as? [String: Any]
            #expect(envelope?["mail_from"] as? String == "alerts@example.com")
            #expect(envelope?["rcpt_tos"] as? [String] == ["it-team@example.com", "admin@example.com"])
            #expect(envelope?["tls"] as? Bool == true && envelope?["authenticated"] as? Bool == true)

            let text = try String(contentsOfFile: sink.maildir + "/1.eml", encoding: .utf8)
            let (headers, body) = try #require(Self.split(text))
            #expect(headers["From"] == "ade <alerts@example.com>")
            #expect(headers["To"] == "it-team@example.com, admin@example.com")
            #expect(headers["Content-Type"] == "text/plain; charset=utf-8")
            let subject = try #require(headers["Subject"])
            #expect(subject.hasPrefix("=?UTF-8?B?") && subject.hasSuffix("?="))
            let encodedSubject = String(subject.dropFirst("=?UTF-8?B?".count).dropLast(2))
            #expect(
                Data(base64Encoded: encodedSubject).map { String(decoding: $0, as: UTF8.self) } == Self.message.subject
            )
            let decoded = Data(base64Encoded: body, options: .ignoreUnknownCharacters)
            #expect(
                decoded.map { String(decoding: $0, as: UTF8.self) } == Self.message.body,
                "the body, dot line and all"
            )
        }
    }

    @Test func tlsFromTheFirstByteAndNoMailInClear() async throws {
        try await Self.withSink(implicitTLS: true) { sink in
            try await Self.client(sink, security: .tls).send(Self.message)
            let envelope =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: sink.maildir + "/1.json"))
                ) as? [String: Any]
            #expect(envelope?["tls"] as? Bool == true && envelope?["authenticated"] as? Bool == true)
            // STARTTLS against a server that speaks TLS at once: nothing in clear, an error that says so.
            var plain = Self.client(sink).configuration
            plain.timeout = .seconds(3)
            await #expect(throws: NotifyError.self) { try await SMTPClient(configuration: plain).send(Self.message) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: sink.maildir).count == 2, "one message")
        }
    }

    /// The mail server is reached at the address the network policy checked, never by its name again (DNS
    /// rebinding): a name that resolves nowhere still reaches the checked address (whose certificate holds it).
    @Test func aPinnedAddressIsReachedWithoutLookingTheNameUp() async throws {
        try await Self.withSink { sink in
            var configuration = Self.client(sink).configuration
            configuration.host = "mail.ade-test.invalid"
            configuration.connectAddress = nil
            await #expect(throws: NotifyError(.unreachable), "by name, the .invalid host is not found") {
                try await SMTPClient(configuration: configuration).send(Self.message)
            }
            configuration.connectAddress = "127.0.0.1"
            try await SMTPClient(configuration: configuration).send(Self.message)
            #expect(FileManager.default.fileExists(atPath: sink.maildir + "/1.eml"), "delivered to the pinned address")
        }
    }

    @Test func refusalsSayWhyAndSendNothing() async throws {
        try await Self.withSink { sink in
            await #expect(throws: NotifyError(.authenticationFailed)) {
                try await Self.client(sink, password: "wrong").send(Self.message)
            }
            await #expect(throws: NotifyError(.tlsFailed)) {
                try await Self.client(sink, trusted: false).send(Self.message)
            }
            var injected = Self.message
            injected.to = ["admin@example.com>\r\nRCPT TO:<victim@example.com"]
            await #expect(throws: NotifyError(.addressInvalid)) { try await Self.client(sink).send(injected) }
            #expect((try? FileManager.default.contentsOfDirectory(atPath: sink.maildir))?.isEmpty ?? true)
            do {
                try await Self.client(sink, password: "wrong").send(Self.message)
            } catch let error as NotifyError {
                #expect(!"\(error.parameters)".contains("wrong"), "never the password")
            }
        }
        await #expect(throws: NotifyError(.unreachable)) {
            try await SMTPClient(configuration: .init(host: "127.0.0.1", port: 9, timeout: .seconds(5))).send(
                Self.message
            )
        }
    }

    /// Headers (unfolded) and body of an RFC 5322 message.
    static func split(_ text: String) -> (headers: [String: String], body: String)? {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard let blank = normalized.range(of: "\n\n") else { return nil }
        var headers: [String: String] = [:]
        for line in normalized[..<blank.lowerBound].split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (headers, String(normalized[blank.upperBound...]))
    }
}
