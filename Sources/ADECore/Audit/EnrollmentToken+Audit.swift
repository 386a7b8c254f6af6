import ADESupport
import Foundation

extension EnrollmentToken {
    /// The token's non-secret fields as the audit log keeps them before and after a change.
    public var auditFields: [String: String] {
        var fields = ["name": name, "base_url": baseURL.absoluteString]
        if let serverName { fields["server_name"] = serverName }
        if let serverUUID { fields["server_uuid"] = serverUUID }
        if let organisationName { fields["organisation"] = organisationName }
        if let adminAppleID { fields["admin_apple_id"] = adminAppleID }
        if let consumerKey { fields["consumer_key"] = consumerKey }
        if let accessTokenExpiry { fields["expires_at"] = Timestamp.format(accessTokenExpiry) }
        return fields
    }
}
