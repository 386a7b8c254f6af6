/// Where an alert channel sends: each kind writes the same alert in the shape its receiver displays.
public enum AlertChannelKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A JSON POST signed as webhooks are (`X-ADE-Signature`), with the alert's texts beside the event.
    case webhook
    /// A Slack incoming webhook (`https://hooks.slack.com/services/…`).
    case slack
    /// A Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is received"): an Adaptive
    /// Card.
    case teams
    /// E-mail over SMTP with STARTTLS (or TLS from the first byte).
    case email

    /// The kind's name for people.
    public var nameKey: MessageKey { MessageKey("alert.kind.\(rawValue)") }
}
