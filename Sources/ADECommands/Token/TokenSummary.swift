import ADECore
import Foundation
import ServerToken

/// A token as `ade token list` and `show` print it, with its state: never a secret.
struct TokenSummary: Encodable {
    let overview: TokenOverview
    var token: EnrollmentToken { overview.token }
    var devices: Int { overview.deviceCount }

    private enum CodingKeys: String, CodingKey {
        case name, serviceURL = "service_url", serverName = "server_name", serverUUID = "server_uuid",
            organisation, adminAppleID = "admin_apple_id", consumerKey = "consumer_key",
            accessTokenExpiry = "access_token_expiry", issuedAt = "issued_at", uploadedAt = "uploaded_at",
            pendingSince = "pending_since", devices, createdAt = "created_at", state, severity
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let date = { (value: Date?) in value.map(OAuthCredentials.formatTimestamp) }
        try container.encode(token.name, forKey: .name)
        try container.encode(token.baseURL.absoluteString, forKey: .serviceURL)
        try container.encode(token.serverName, forKey: .serverName)
        try container.encode(token.serverUUID, forKey: .serverUUID)
        try container.encode(token.organisationName, forKey: .organisation)
        try container.encode(token.adminAppleID, forKey: .adminAppleID)
        try container.encode(token.consumerKey, forKey: .consumerKey)
        try container.encode(date(token.accessTokenExpiry), forKey: .accessTokenExpiry)
        try container.encode(date(token.issuedAt), forKey: .issuedAt)
        try container.encode(date(token.uploadedAt), forKey: .uploadedAt)
        try container.encode(date(token.pendingSince), forKey: .pendingSince)
        try container.encode(date(token.createdAt), forKey: .createdAt)
        try container.encode(devices, forKey: .devices)
        try container.encode(overview.health.state.rawValue, forKey: .state)
        try container.encode(overview.health.severity.rawValue, forKey: .severity)
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func text(locale: MessageLocale, detailed: Bool) -> String {
        let catalogue = MessageCatalogue.bundled
        let label = { (key: MessageKey) in catalogue.string(key, locale: locale) }
        let none = label(.tokenValueNone)
        let date = { (value: Date?) in value.map(OAuthCredentials.formatTimestamp) ?? none }
        let health = overview.health.text(tokenName: token.name, locale: locale)
        var rows: [(String, String)] = [
            (label(.tokenFieldName), token.name),
            (label(.tokenFieldState), health.title),
            (label(.tokenFieldServer), token.serverName ?? none),
            (label(.tokenFieldOrganisation), token.organisationName ?? none),
            (label(.tokenFieldExpires), date(token.accessTokenExpiry)),
            (label(.tokenFieldDevices), String(devices)),
        ]
        if detailed {
            rows += [
                (label(.tokenFieldServiceURL), token.baseURL.absoluteString),
                (label(.tokenFieldConsumerKey), token.consumerKey ?? none),
                (label(.tokenFieldAdmin), token.adminAppleID ?? none),
                (label(.tokenFieldUploaded), date(token.uploadedAt)),
            ]
            if let pending = token.pendingSince {
                rows.append((label(.tokenFieldPending), date(pending)))
            }
            if overview.health.state != .healthy {
                rows.append((label(.tokenFieldCause), health.cause))
                rows.append((label(.tokenFieldImpact), health.impact))
                for (index, step) in health.steps.enumerated() {
                    rows.append((index == 0 ? label(.tokenFieldSteps) : "", "\(index + 1). \(step)"))
                }
            }
        }
        return alignedLines(rows)
    }
}
