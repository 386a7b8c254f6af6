public import Foundation

/// The OAuth 1.0a credentials inside an ABM server token: what every call to Apple's device enrollment service is
/// signed with.
///
/// `consumerSecret`, `accessToken` and `accessSecret` are secrets: ``description``, ``debugDescription`` and
/// `dump` show only the consumer key and the dates.
public struct OAuthCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// `consumer_key` (`CK_…`): identifies the MDM server entry in ABM; not secret.
    public var consumerKey: String
    /// `consumer_secret` (`CS_…`).
    public var consumerSecret: String
    /// `access_token` (`AT_O…O<issue time in ms>`).
    public var accessToken: String
    /// `access_secret` (`AS_…`).
    public var accessSecret: String
    /// `access_token_expiry`: the token stops working at this instant, a year after it was issued.
    public var accessTokenExpiry: Date

    /// Creates credentials.
    public init(
        consumerKey: String,
        consumerSecret: String,
        accessToken: String,
        accessSecret: String,
        accessTokenExpiry: Date
    ) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.accessToken = accessToken
        self.accessSecret = accessSecret
        self.accessTokenExpiry = accessTokenExpiry
    }

    /// When ABM issued the token, read from the millisecond stamp that ends `access_token`
    /// (`AT_O8474885631O…O1737111741803` → 2025-01-17T11:02:21.803Z); `nil` when the token has none.
    public var issuedAt: Date? {
        guard let stamp = accessToken.split(separator: "O").last, stamp.count == 13,
            stamp.allSatisfy({ $0.isASCII && $0.isNumber }), let milliseconds = Int64(stamp)
        else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    public var description: String {
        "OAuthCredentials(consumerKey: \(consumerKey), accessTokenExpiry: \(accessTokenExpiry), secrets redacted)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["consumerKey": consumerKey, "accessTokenExpiry": accessTokenExpiry])
    }
}
