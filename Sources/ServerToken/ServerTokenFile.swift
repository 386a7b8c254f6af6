import Foundation
import SwiftASN1
import X509

/// The outer layer of a server token file: finds the CMS bytes inside whatever wrapping the file has.
///
/// Accepted: S/MIME text as ABM writes it (MIME headers, a blank line, base64), PEM armour (`PKCS7`, `CMS`,
/// `PKCS #7 …`), bare base64, and raw DER or BER. Anything else is refused with a code that says what the file is
/// when that can be told (a certificate, a private key) and `not_smime` otherwise.
public enum ServerTokenFile {
    /// The largest file accepted. ABM's tokens are about 1.5 KB; a megabyte leaves room for any wrapping and still
    /// refuses a wrong file before any parsing work.
    public static let maximumSize = 1 << 20

    /// Returns the CMS `ContentInfo` bytes held in a token file.
    /// - Throws: ``ServerTokenError`` with `empty_input`, `too_large`, `not_smime`,
    ///   `certificate_instead_of_token` or `private_key_instead_of_token`.
    public static func cmsBytes<Bytes: Collection<UInt8>>(from file: Bytes) throws -> [UInt8] {
        guard file.count <= maximumSize else {
            throw ServerTokenError(
                .tooLarge,
                parameters: ["limit": String(maximumSize / 1024)],
                reason: "token file of \(file.count) bytes exceeds \(maximumSize)"
            )
        }
        let bytes = Array(file)
        guard let first = bytes.firstIndex(where: { !isWhiteSpace($0) }) else {
            throw ServerTokenError(.emptyInput, reason: "token file is empty")
        }
        if bytes[first] == 0x30 {  // A SEQUENCE: raw DER or BER.
            try refuseIfCertificate(der: bytes)
            return bytes
        }
        guard bytes[first...].allSatisfy({ $0 < 0x80 }), let text = String(bytes: bytes, encoding: .ascii) else {
            throw ServerTokenError(.notSMIME, reason: "token file is binary but not DER/BER")
        }
        if let pem = text.range(of: "-----BEGIN ") {
            return try fromPEM(String(text[pem.lowerBound...]))
        }
        let body = MIMEText.bodyLines(of: text)
        let hasHeaders = body.startIndex != 0
        return try fromBase64(body: body.joined(separator: "\n"), damagedIfInvalid: hasHeaders)
    }

    /// Wraps CMS bytes in the S/MIME text ABM issues: four MIME headers, a blank line, base64 in 76-column lines.
    public static func smimeText(cms: [UInt8]) -> String {
        let base64 = Data(cms).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return """
            Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="smime.p7m"
            Content-Description: S/MIME Encrypted Message

            \(base64)

            """
    }

    // MARK: - Wrappings

    private static func fromPEM(_ text: String) throws -> [UInt8] {
        let label = text.dropFirst("-----BEGIN ".count).prefix { $0 != "-" }
        switch label {
        case "PKCS7", "CMS", "PKCS #7 SIGNED DATA", "PKCS #7 ENVELOPED DATA":
            break
        case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
            throw ServerTokenError(.certificateInsteadOfToken, reason: "PEM block is a certificate")
        case let label where label.hasSuffix("PRIVATE KEY"):
            throw ServerTokenError(.privateKeyInsteadOfToken, reason: "PEM block is a private key")
        default:
            throw ServerTokenError(
                .notSMIME,
                parameters: ["label": String(label.prefix(40))],
                reason: "PEM block is not PKCS7 or CMS"
            )
        }
        guard let end = text.range(of: "-----END ") else {
            throw ServerTokenError(.notSMIME, reason: "PEM block has no END line")
        }
        let body = text[..<end.lowerBound].split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .dropFirst()
        return try fromBase64(body: body.joined(separator: "\n"), damagedIfInvalid: true)
    }

    /// Decodes the base64 body. When the wrapping (MIME headers, PEM lines) said a token follows, a body that is not
    /// base64 of a CMS structure is a damaged token (`malformed_cms`); bare text is simply not a token.
    private static func fromBase64(body: String, damagedIfInvalid: Bool) throws -> [UInt8] {
        let compact = body.filter { !$0.isWhitespace }
        guard !compact.isEmpty else {
            throw ServerTokenError(
                damagedIfInvalid ? .malformedCMS : .emptyInput,
                reason: "token file has no content after its wrapping"
            )
        }
        guard let data = Data(base64Encoded: compact), data.first == 0x30 else {
            throw ServerTokenError(
                damagedIfInvalid ? .malformedCMS : .notSMIME,
                reason: "token content is not base64 of a CMS structure"
            )
        }
        let bytes = Array(data)
        try refuseIfCertificate(der: bytes)
        return bytes
    }

    private static func refuseIfCertificate(der: [UInt8]) throws {
        if (try? Certificate(derEncoded: der)) != nil {
            throw ServerTokenError(.certificateInsteadOfToken, reason: "DER structure is a certificate")
        }
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
