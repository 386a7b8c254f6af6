import ADECore
import ADESupport
import Foundation

/// The JSON an alert channel POSTs, shaped for its receiver.
enum AlertPayload {
    /// Slack's incoming webhook message: a fallback `text` and blocks (a header and mrkdwn sections).
    static func slack(_ text: AlertText) -> [UInt8] {
        var sections = text.paragraphs.map(escapeSlack)
        if !text.steps.isEmpty {
            sections.append(
                "*\(escapeSlack(text.stepsHeading))*\n"
                    + text.steps.enumerated().map { "\($0.offset + 1). \(escapeSlack($0.element))" }.joined(
                        separator: "\n"
                    )
            )
        }
        if !text.summary.isEmpty { sections.append("_\(escapeSlack(text.summary))_") }
        if let link = text.link { sections.append(escapeSlack(link)) }
        let message: [String: Any] = [
            "text": text.subject,
            "blocks": [["type": "header", "text": ["type": "plain_text", "text": String(text.subject.prefix(150))]]]
                + sections.map { ["type": "section", "text": ["type": "mrkdwn", "text": String($0.prefix(3000))]] },
        ]
        return json(message)
    }

    /// A Teams Workflows message carrying one Adaptive Card (1.4): the subject coloured by severity, the paragraphs,
    /// the numbered steps, the summary.
    static func teams(_ text: AlertText) -> [UInt8] {
        let color: String
        switch (text.severity, text.resolved) {
        case (_, true): color = "Good"
        case (.error, _): color = "Attention"
        case (.warning, _): color = "Warning"
        case (.ok, _): color = "Default"
        }
        var body: [[String: Any]] = [
            [
                "type": "TextBlock", "text": text.subject, "weight": "Bolder", "size": "Medium", "color": color,
                "wrap": true,
            ]
        ]
        body += text.paragraphs.map { ["type": "TextBlock", "text": $0, "wrap": true] }
        if !text.steps.isEmpty {
            body.append(["type": "TextBlock", "text": text.stepsHeading, "weight": "Bolder", "wrap": true])
            body += text.steps.enumerated().map {
                ["type": "TextBlock", "text": "\($0.offset + 1). \($0.element)", "wrap": true, "spacing": "Small"]
            }
        }
        if !text.summary.isEmpty {
            body.append(["type": "TextBlock", "text": text.summary, "isSubtle": true, "wrap": true])
        }
        if let link = text.link { body.append(["type": "TextBlock", "text": link, "wrap": true]) }
        let card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        ]
        return json([
            "type": "message",
            "attachments": [
                ["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": NSNull(), "content": card]
            ],
        ])
    }

    /// The signed JSON of a webhook channel: the event's envelope with an `alert` object of the texts.
    static func webhook(_ text: AlertText, event: OutboxEvent) -> [UInt8] {
        let data = (try? JSONSerialization.jsonObject(with: Data(event.body.utf8))) ?? [:]
        var alert: [String: Any] = [
            "subject": text.subject,
            "paragraphs": text.paragraphs,
            "steps": text.steps,
            "summary": text.summary,
            "severity": text.severity.rawValue,
            "resolved": text.resolved,
            "text": text.body,
        ]
        if !text.tokenName.isEmpty {
            alert["token"] = text.tokenName
            alert["state"] = text.state.rawValue
        }
        return json([
            "id": event.id,
            "type": event.kind.rawValue,
            "created_at": Timestamp.format(event.createdAt),
            "data": data,
            "alert": alert,
        ])
    }

    /// Slack's three control characters escaped (`&`, `<`, `>`).
    static func escapeSlack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func json(_ object: Any) -> [UInt8] {
        Array(
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8)
        )
    }
}
