public import Foundation

/// An alert written for a person in a channel's language: a subject, paragraphs, the numbered steps, and the tenant
/// summary (how many tokens are in an error state now). Made from a `token.state_changed` or `token.expiry_reminder`
/// event; the channels shape it for their receivers.
public struct AlertText: Sendable, Hashable {
    /// The token the alert is about.
    public var tokenName: String
    /// The state it announces (the state changed to, or `expiring` for a reminder).
    public var state: TokenState
    public var severity: Severity
    /// Whether it announces a token healthy again.
    public var resolved: Bool
    public var subject: String
    /// What happened and what it affects, one paragraph each.
    public var paragraphs: [String]
    /// The heading of ``steps`` ("How to fix it:").
    public var stepsHeading: String
    /// The remediation steps, in order, without their numbers.
    public var steps: [String]
    /// How many tokens are in an error state now, and which.
    public var summary: String
    /// A link to the token's page in the console, when the public base URL is known.
    public var link: String?

    /// The alert as plain text: paragraphs, numbered steps, the summary and the link.
    public var body: String {
        var lines = paragraphs
        if !steps.isEmpty {
            lines.append(
                stepsHeading + "\n"
                    + steps.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
            )
        }
        lines.append(summary)
        if let link { lines.append(link) }
        return lines.joined(separator: "\n\n")
    }
}

extension AlertText {
    /// The alert for an event in a language; nil for an event that is not an alert (device events), for a change
    /// nobody needs to hear of (a token's first state, healthy → expiring, which the ladder's reminder announces),
    /// and for a token deleted since.
    /// - Parameters:
    ///   - event: The outbox event.
    ///   - overviews: Every token as it is now (``TokenOverview/all(store:now:policy:)``, read once for a batch of
    ///     events): the event's token's current state and the tenant summary.
    ///   - locale: The channel's language.
    ///   - consoleURL: The console's public base URL, for a link to the token's page.
    public static func make(
        for event: OutboxEvent,
        overviews: [TokenOverview],
        locale: MessageLocale,
        consoleURL: URL? = nil,
        catalogue: MessageCatalogue = .bundled
    ) -> AlertText? {
        guard OutboxEvent.Kind.alerts.contains(event.kind),
            let body = try? JSONSerialization.jsonObject(with: Data(event.body.utf8)) as? [String: Any],
            let name = body["token"] as? String,
            let overview = overviews.first(where: { $0.token.name == name })
        else { return nil }
        let (token, health) = (overview.token, overview.health)
        let failing = overviews.filter { $0.health.severity == .error }.map(\.token.name)
        let summary =
            failing.isEmpty
            ? catalogue.string(.alertTenantNone, locale: locale)
            : catalogue.string(
                .alertTenant,
                locale: locale,
                ["count": .int(failing.count), "names": .string(failing.joined(separator: ", "))]
            )
        let link = consoleURL.map { url in
            catalogue.string(
                .alertOpen,
                locale: locale,
                ["url": .string(url.appendingPathComponent("tokens").appendingPathComponent(token.name).absoluteString)]
            )
        }
        let state: TokenState
        var arguments = health.arguments(tokenName: token.name)
        if event.kind == .tokenExpiryReminder {
            guard let days = body["days_left"] as? Int else { return nil }
            state = .expiring
            arguments["count"] = .int(days)
            let subject = catalogue.string(.alertSubjectReminder, locale: locale, arguments)
            var reminder = text(
                state,
                token: token.name,
                subject: subject,
                arguments: arguments,
                summary: summary,
                link: link,
                locale: locale,
                catalogue: catalogue
            )
            // The last week of the ladder is an error, as the token's state is then.
            if days <= TokenHealth.expiringErrorDays { reminder.severity = .error }
            return reminder
        }
        guard let to = (body["to"] as? String).flatMap(TokenState.init(rawValue:)) else { return nil }
        let from = (body["from"] as? String).flatMap(TokenState.init(rawValue:))
        let quiet: Set<TokenState> = [.healthy, .awaitingUpload, .neverSynced, .problemConfirming]
        // A token's first state, the steps of a new token (awaiting upload, never synced), healthy → expiring
        // (announced by the ladder's reminders), a problem still being confirmed (alerted once the policy's streak
        // makes it a state of its own) and a renewal waiting for its first sync are nobody's alert.
        let silent: Set<TokenState> = [.awaitingUpload, .neverSynced, .problemConfirming, .syncPending]
        guard let from, !(from == .healthy && to == .expiring), !silent.contains(to) else {
            return nil
        }
        if to.entry.severity == .ok {
            guard !quiet.contains(from) else { return nil }
            let wasTitle = catalogue.string(from.titleKey, locale: locale, arguments)
            return AlertText(
                tokenName: token.name,
                state: to,
                severity: .ok,
                resolved: true,
                subject: catalogue.string(.alertSubjectResolved, locale: locale, arguments),
                paragraphs: [
                    catalogue.string(
                        .alertResolved,
                        locale: locale,
                        arguments.merging(["title": .string(wasTitle)]) { $1 }
                    )
                ],
                stepsHeading: catalogue.string(.alertSteps, locale: locale),
                steps: [],
                summary: summary,
                link: link
            )
        }
        // The event's state, with the current details when the token is still in it.
        if health.state != to { arguments = ["name": .string(token.name), "count": .int(health.daysLeft ?? 0)] }
        var subjectArguments = arguments
        subjectArguments["severity"] = .string(catalogue.string(to.entry.severity.nameKey, locale: locale))
        subjectArguments["title"] = .string(catalogue.string(to.titleKey, locale: locale, arguments))
        let subject = catalogue.string(.alertSubjectState, locale: locale, subjectArguments)
        return text(
            to,
            token: token.name,
            subject: subject,
            arguments: arguments,
            summary: summary,
            link: link,
            locale: locale,
            catalogue: catalogue
        )
    }

    /// A state's alert: cause, impact, steps and whether it clears by itself.
    static func text(
        _ state: TokenState,
        token: String,
        subject: String,
        arguments: [String: MessageArgument],
        summary: String,
        link: String?,
        locale: MessageLocale,
        catalogue: MessageCatalogue
    ) -> AlertText {
        let entry = state.entry
        var paragraphs = [catalogue.string(entry.causeKey, locale: locale, arguments)]
        paragraphs.append(
            catalogue.string(
                .alertImpact,
                locale: locale,
                ["impact": .string(catalogue.string(entry.impactKey, locale: locale, arguments))]
            )
        )
        if entry.clearsByItself { paragraphs.append(catalogue.string(.alertClears, locale: locale)) }
        return AlertText(
            tokenName: token,
            state: state,
            severity: entry.severity,
            resolved: false,
            subject: subject,
            paragraphs: paragraphs,
            stepsHeading: catalogue.string(.alertSteps, locale: locale),
            steps: entry.stepKeys.map { catalogue.string($0, locale: locale, arguments) },
            summary: summary,
            link: link
        )
    }

    /// The alert a channel's test sends: nothing is wrong; the channel works, in its language.
    public static func test(channel: String, locale: MessageLocale, catalogue: MessageCatalogue = .bundled) -> AlertText
    {
        AlertText(
            tokenName: "",
            state: .healthy,
            severity: .ok,
            resolved: false,
            subject: catalogue.string(.alertTestSubject, locale: locale, ["name": .string(channel)]),
            paragraphs: [catalogue.string(.alertTestBody, locale: locale, ["name": .string(channel)])],
            stepsHeading: "",
            steps: [],
            summary: "",
            link: nil
        )
    }
}

extension MessageKey {
    static let alertSubjectState: MessageKey = "alert.subject.state"
    static let alertSubjectResolved: MessageKey = "alert.subject.resolved"
    static let alertSubjectReminder: MessageKey = "alert.subject.reminder"
    static let alertResolved: MessageKey = "alert.resolved"
    static let alertImpact: MessageKey = "alert.impact"
    static let alertSteps: MessageKey = "alert.steps"
    static let alertClears: MessageKey = "alert.clears"
    static let alertTenant: MessageKey = "alert.tenant"
    static let alertTenantNone: MessageKey = "alert.tenant_none"
    static let alertOpen: MessageKey = "alert.open"
    static let alertTestSubject: MessageKey = "alert.test.subject"
    static let alertTestBody: MessageKey = "alert.test.body"
}
