import ADESupport
public import Foundation

/// Reads `Retry-After` in both of its forms (RFC 9110 §10.2.3): delay seconds, or an HTTP-date.
public enum RetryAfter {
    /// The delay a `Retry-After` value asks for.
    /// - Parameters:
    ///   - value: The header value.
    ///   - now: The local time.
    ///   - serverDate: The answer's `Date` header, when present: an HTTP-date is measured from it, so a skewed
    ///     local clock does not stretch or cut the wait.
    /// - Returns: The delay (never negative), or `nil` when the value is neither form.
    public static func parse(_ value: String, now: Date, serverDate: Date? = nil) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 {
            return .seconds(seconds)
        }
        guard let date = parseHTTPDate(trimmed) else { return nil }
        let delay = date.timeIntervalSince(serverDate ?? now)
        return .interval(max(0, delay))
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers must send.
    public static func parseHTTPDate(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return date }
        }
        return nil
    }

    /// Formats an IMF-fixdate, for `Date` and `Retry-After` headers.
    public static func formatHTTPDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
