public import Foundation
public import ServerToken

/// The files under `Sources/ADETesting/Fixtures`, copied from the project's shared test data with their licences.
public enum Fixtures {
    /// The bytes of a fixture, by path below `Fixtures/` (`abm-server-token/server-token.p7m`).
    public static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(path)))
    }

    /// The text of a fixture.
    public static func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// The file URL of a fixture.
    public static func url(_ path: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(path)
    }
}

extension Fixtures {
    /// Made-up credentials in the shape ABM issues, for tokens the tests encrypt themselves. The access token ends
    /// in the issue time 2026-09-21T14:13:20Z; the expiry is a year later.
    public static let syntheticCredentials = OAuthCredentials(
        consumerKey: "CK_0123456789abcdef",
        consumerSecret: "CS_fedcba9876543210",
        accessToken: "AT_O1234567890Odeadbeef0123O1790000000000",
        accessSecret: "AS_00112233445566778899",
        accessTokenExpiry: Date(timeIntervalSince1970: 1_821_536_000)
    )
}

extension Fixtures {
    /// The real-format ABM token of petarov/apple-mdm-clients and what it decrypts to.
    public enum SampleToken {
        public static let tokenPath = "abm-server-token/server-token.p7m"
        public static let privateKeyPath = "abm-server-token/private-key.pem"
        public static let certificatePath = "abm-server-token/certificate.pem"

        public static let consumerKey =
            "CK_75b2eb55cec9641e869a7d2c88b4bf1f7ffee504716571d191306385b8647ead9a4239ad6a2095ea0197feb46ce61399"
        public static let consumerSecret = "CS_810bb5ab05e53becb3bfbe40b3608a0c9039c457"
        public static let accessToken = "AT_O8474885631Oe8ddece11c1a70077b340e281a2c4e2c4924a54cO1737111741803"
        public static let accessSecret = "AS_97b944021a19633782a36c2a85038a46d6acaa06"
        /// `access_token_expiry`: 2026-01-17T11:02:21Z.
        public static let accessTokenExpiry = Date(timeIntervalSince1970: 1_768_647_741)
        /// The stamp at the end of the access token: 2025-01-17T11:02:21.803Z.
        public static let issuedAt = Date(timeIntervalSince1970: 1_737_111_741.803)
    }
}
