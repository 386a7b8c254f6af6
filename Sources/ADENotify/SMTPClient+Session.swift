import ADECore
import Foundation
import NIOCore

extension SMTPClient {
    /// One reply of the server: its code and its lines' texts.
    struct Reply: Sendable {
        var code: Int
        var lines: [String]

        /// The reply as one line, for an error's detail.
        var text: String { "\(code) " + lines.joined(separator: " ").trimmingCharacters(in: .whitespaces) }
    }

    /// Reads replies (`250-…` lines up to the `250 …` one) from the connection's bytes.
    struct ReplyReader {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending: [UInt8] = []

        init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
            self.inbound = inbound
        }

        /// Whether bytes the server sent are waiting (there must be none when TLS starts).
        var isEmpty: Bool { pending.isEmpty }

        mutating func line() async throws -> String {
            while true {
                if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(pending[..<end])
                    pending.removeSubrange(...end)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard pending.count < 64 * 1024, var buffer = try await inbound.next() else {
                    throw NotifyError(.connectionClosed)
                }
                pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        }

        mutating func next() async throws -> Reply {
            var lines: [String] = []
            while true {
                let line = try await line()
                let digits = line.prefix(3)
                guard digits.count == 3, let code = Int(digits) else {
                    throw NotifyError(.protocolError)
                }
                lines.append(String(line.dropFirst(4)))
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                    return Reply(code: code, lines: lines)
                }
            }
        }
    }

    /// The conversation of one message.
    struct Session {
        var replies: ReplyReader
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        /// Sends a command and reads its reply, which must have one of `expected` codes.
        @discardableResult
        mutating func command(
            _ line: String,
            expect expected: Set<Int>,
            failing code: NotifyError.Code = .smtpRefused
        ) async throws -> Reply {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            let reply = try await replies.next()
            guard expected.contains(reply.code) else {
                throw NotifyError(code, parameters: ["detail": reply.text])
            }
            return reply
        }

        mutating func converse(
            _ message: Message,
            configuration: Configuration,
            upgrade: () async throws -> Void,
            date: Date
        ) async throws {
            for address in [message.from] + message.to where !SMTPClient.isPlainAddress(address) {
                throw NotifyError(.addressInvalid, parameters: ["address": address])
            }
            let greeting = try await replies.next()
            guard greeting.code == 220 else { throw NotifyError(.smtpRefused, parameters: ["detail": greeting.text]) }
            var extensions = try await command("EHLO \(configuration.heloName)", expect: [250]).lines
            if configuration.security == .startTLS {
                guard extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw NotifyError(.starttlsUnavailable)
                }
                try await command("STARTTLS", expect: [220])
                guard replies.isEmpty else {
                    throw NotifyError(.protocolError)
                }
                try await upgrade()
                extensions = try await command("EHLO \(configuration.heloName)", expect: [250]).lines
            }
            if let username = configuration.username {
                try await authenticate(username, configuration.password ?? "", extensions: extensions)
            }
            try await command("MAIL FROM:<\(message.from)>", expect: [250])
            for recipient in message.to {
                try await command("RCPT TO:<\(recipient)>", expect: [250, 251])
            }
            try await command("DATA", expect: [354])
            try await command(
                SMTPClient.format(message, date: date, host: configuration.heloName) + "\r\n.",
                expect: [250]
            )
            _ = try? await command("QUIT", expect: [221])
        }

        /// AUTH PLAIN when offered, else LOGIN. The password goes only to the server, never into an error.
        mutating func authenticate(_ username: String, _ password: String, extensions: [String]) async throws {
            let mechanisms =
                extensions.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased()
                .split(separator: " ").dropFirst().map(String.init) ?? []
            if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
                let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await command("AUTH PLAIN \(credentials)", expect: [235], failing: .authenticationFailed)
            } else {
                try await command("AUTH LOGIN", expect: [334], failing: .authenticationFailed)
                try await command(
                    Data(username.utf8).base64EncodedString(),
                    expect: [334],
                    failing: .authenticationFailed
                )
                try await command(
                    Data(password.utf8).base64EncodedString(),
                    expect: [235],
                    failing: .authenticationFailed
                )
            }
        }
    }

    /// `local@domain` without spaces, angle brackets or line breaks (nothing that could inject a header or a command).
    static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !address.unicodeScalars.contains { $0.value <= 0x20 || "<>\"(),;:\\[]".unicodeScalars.contains($0) }
    }

    /// The message as RFC 5322 text with CRLF lines: UTF-8 headers encoded (RFC 2047), the body in base64 (so that
    /// no line starts with a dot and any text survives any relay).
    static func format(_ message: Message, date: Date, host: String) -> String {
        func encoded(_ text: String) -> String {
            text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 }
                ? text : "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let from = message.fromName.map { "\(encoded($0)) <\(message.from)>" } ?? message.from
        let body = Data(message.body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return [
            "From: \(from)",
            "To: " + message.to.joined(separator: ", "),
            "Subject: " + encoded(message.subject),
            "Date: " + formatter.string(from: date),
            "Message-ID: <\(UUID().uuidString.lowercased())@\(host)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            body,
        ].joined(separator: "\r\n")
    }
}
