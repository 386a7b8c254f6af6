/// The little of RFC 2045 that token files need: find where a block of MIME headers ends.
enum MIMEText {
    /// The lines of `text` after its MIME header block (through the blank line that ends it), or every line when the
    /// first non-blank line is not a header. Accepts LF and CRLF. The slice starts past index 0 exactly when there
    /// were headers.
    static func bodyLines(of text: String) -> ArraySlice<Substring> {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)[...]
        guard let first = lines.firstIndex(where: { !isBlank($0) }), isHeaderLine(lines[first]) else {
            return lines
        }
        guard let blank = lines[first...].firstIndex(where: isBlank) else {
            return lines[lines.endIndex...]  // Headers that never end: no body.
        }
        return lines[(blank + 1)...]
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy(\.isWhitespace)
    }

    /// `Name: value`, where the name is letters, digits and hyphens.
    private static func isHeaderLine(_ line: Substring) -> Bool {
        guard let colon = line.firstIndex(of: ":"), colon > line.startIndex else { return false }
        return line[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
