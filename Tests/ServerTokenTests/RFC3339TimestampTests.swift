import Foundation
import ServerToken
import Testing

/// `access_token_expiry` read strictly: what Foundation's ISO 8601 parser stretches is refused.
struct RFC3339TimestampTests {
    @Test(arguments: [
        ("2027-12-07T10:20:30Z", 1_828_174_830.0),
        ("2027-12-07t10:20:30z", 1_828_174_830.0),
        ("2027-12-07T10:20:30.250Z", 1_828_174_830.25),
        ("2027-12-07T12:20:30+02:00", 1_828_174_830.0),
        ("2027-12-07T05:20:30-05:00", 1_828_174_830.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func readsAnRFC3339Time(_ text: String, _ seconds: Double) throws {
        let date = try #require(RFC3339Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
        #expect(OAuthCredentials.parseTimestamp(text) == date)
    }

    @Test(arguments: [
        "2027-12-07T25:61:61Z", "2027-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2027-12-07T10:20:30Z trailing", "27-12-07T10:20:30Z", "2027-12-07", "2027-12-07T10:20:30",
        "2027-13-01T00:00:00Z", "2027-00-01T00:00:00Z", "2027-12-00T00:00:00Z", "2027-12-07T10:20:60Z",
        "2027-12-07 10:20:30Z", "2027-12-07T10:20:30.Z", "2027-12-07T10:20:30+0200", "2027-12-07T10:20:30+24:00",
        "+2027-12-07T10:20:30Z", "2027-1-07T10:20:30Z", "２０２７-12-07T10:20:30Z", "", " 2027-12-07T10:20:30Z",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(RFC3339Timestamp.parse(text) == nil)
    }

    @Test func aPayloadWithAMalformedExpiryIsRefusedNamingIt() {
        let payload =
            #"{"consumer_key":"CK_1","consumer_secret":"CS_1","access_token":"AT_1","access_secret":"AS_1","access_token_expiry":"2027-02-30T00:00:00Z"}"#
        #expect(throws: ServerTokenError(.expiryInvalid, reason: "")) {
            try OAuthCredentials(payload: Array(payload.utf8))
        }
        do {
            _ = try OAuthCredentials(payload: Array(payload.utf8))
        } catch let error as ServerTokenError {
            #expect(error.parameters["value"] == "2027-02-30T00:00:00Z")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
