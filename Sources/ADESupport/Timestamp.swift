public import Foundation

/// The one text form of a time in `ade`, Apple's and its own: RFC 3339 in UTC, whole seconds on output.
public enum Timestamp {
    /// Parses `2018-09-08T16:49:09Z`, `2018-09-08T16:49:09.123Z` and `0001-01-01T00:00:00Z` (Apple's zero time).
    public static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// Formats a time as Apple does: `2018-09-08T16:49:09Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
