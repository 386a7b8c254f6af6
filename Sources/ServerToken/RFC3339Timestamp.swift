public import Foundation

/// An RFC 3339 `date-time`, read strictly: the token file's `access_token_expiry` decides when `ade` warns and
/// when a token counts as expired, so a value Foundation's ISO 8601 parser would stretch (`25:61:61`, February 30,
/// trailing text, a two-digit year) is refused rather than read as some other instant.
///
/// ```
/// date-time    = full-date "T" full-time
/// full-date    = date-fullyear "-" date-month "-" date-mday      ; 4DIGIT "-" 01-12 "-" 01-28/29/30/31
/// full-time    = partial-time time-offset
/// partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]   ; 00-23 ":" 00-59 ":" 00-59
/// time-secfrac = "." 1*DIGIT
/// time-offset  = "Z" / ("+" / "-") time-hour ":" time-minute
/// ```
/// `T` and `Z` may be lower case (RFC 3339 § 5.6). A leap second (`:60`) is refused: `Date` cannot hold it.
public enum RFC3339Timestamp {
    /// The instant `text` names, or nil when it is not exactly an RFC 3339 date-time.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8(parse(utf8:))
    }

    /// The same from UTF-8 bytes, without copying them (Apple's device pages carry several times per device).
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = Reader(bytes: bytes)
        guard let year = reader.digits(4), reader.take("-"),
            let month = reader.digits(2), reader.take("-"),
            let day = reader.digits(2), reader.take("T") || reader.take("t"),
            let hour = reader.digits(2), reader.take(":"),
            let minute = reader.digits(2), reader.take(":"),
            let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        var fraction = 0.0
        if reader.take(".") {
            guard let digits = reader.fraction() else { return nil }
            fraction = digits
        }
        let offset: Int
        if reader.take("Z") || reader.take("z") {
            offset = 0
        } else {
            let sign: Int
            if reader.take("+") {
                sign = 1
            } else if reader.take("-") {
                sign = -1
            } else {
                return nil
            }
            guard let hours = reader.digits(2), reader.take(":"), let minutes = reader.digits(2),
                (0...23).contains(hours), (0...59).contains(minutes)
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard reader.atEnd else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits as a number.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// One or more digits after the decimal point, as a fraction of a second.
        mutating func fraction() -> Double? {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            return Double("0." + String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }
    }
}
