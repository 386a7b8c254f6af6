public import ADECore
public import Foundation
import PostgresNIO

extension PostgresStore: WebhookStore {
    public func createWebhook(
        name: String,
        sealedURL: [UInt8],
        sealedSecret: [UInt8],
        sealedWith keyCheck: String?,
        maskedURL: String,
        allowsPrivateNetwork: Bool,
        channel: AlertChannelKind?,
        locale: String?,
        at date: Date
    ) async throws -> WebhookEndpoint {
        try await transaction { connection in
            try await Self.checkKey(keyCheck, connection, logger)
            guard try await Self.webhooks(connection, "lower(name) = lower($1)", [name], logger).isEmpty else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            // A new webhook starts after the events already written: under the outbox's lock, so that no event with
            // a lower id commits after this read.
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.outboxLockKey))", logger: logger)
            var last: Int64 = 0
            for try await value in try await connection.run(
                "SELECT COALESCE(MAX(id), 0)::bigint FROM outbox",
                logger: logger
            ).decode(Int64.self) {
                last = value
            }
            for try await id in try await connection.run(
                """
                INSERT INTO webhooks (name, sealed_url, sealed_secret, masked_url, allows_private_network,
                    last_event_id, created_at, channel, locale)
                VALUES (\(name), \(Data(sealedURL)), \(Data(sealedSecret)), \(maskedURL), \(allowsPrivateNetwork),
                    \(last), \(date), \(channel?.rawValue), \(locale))
                RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                if let created = try await Self.webhooks(connection, "id = $1", [id], logger).first { return created }
            }
            throw StoreError(.notFound, parameters: ["name": name])
        }
    }

    public func webhooks() async throws -> [WebhookEndpoint] {
        try await read { connection in try await Self.webhooks(connection, "TRUE ORDER BY lower(name), id", [], logger)
        }
    }

    public func webhook(named name: String) async throws -> WebhookEndpoint? {
        try await read { connection in
            try await Self.webhooks(connection, "lower(name) = lower($1)", [name], logger).first
        }
    }

    public func deleteWebhook(id: Int64) async throws {
        try await transaction { connection in
            guard try await Self.count(connection, "DELETE FROM webhooks WHERE id = \(id) RETURNING id", logger) > 0
            else {
                throw StoreError(.notFound, parameters: ["name": String(id)])
            }
        }
    }

    public func recordDelivery(_ delivery: WebhookDelivery, nextAttemptAt: Date?) async throws {
        try await transaction { connection in
            guard try await !Self.webhooks(connection, "id = $1 FOR UPDATE", [delivery.webhookID], logger).isEmpty
            else {
                return
            }
            try await connection.run(
                """
                INSERT INTO webhook_deliveries (webhook_id, event_id, attempt, status_code, error, duration_ms, at)
                VALUES (\(delivery.webhookID), \(delivery.eventID), \(delivery.attempt), \(delivery.statusCode),
                    \(delivery.error), \(delivery.durationMilliseconds), \(delivery.at))
                """,
                logger: logger
            )
            if delivery.succeeded {
                try await connection.run(
                    """
                    UPDATE webhooks SET last_event_id = GREATEST(last_event_id, \(delivery.eventID)), failures = 0,
                        next_attempt_at = NULL
                    WHERE id = \(delivery.webhookID)
                    """,
                    logger: logger
                )
            } else {
                try await connection.run(
                    """
                    UPDATE webhooks SET failures = failures + 1, next_attempt_at = \(nextAttemptAt)
                    WHERE id = \(delivery.webhookID)
                    """,
                    logger: logger
                )
            }
        }
    }

    public func skipEvents(webhookID: Int64, through eventID: Int64) async throws {
        try await transaction { connection in
            try await connection.run(
                "UPDATE webhooks SET last_event_id = GREATEST(last_event_id, \(eventID)) WHERE id = \(webhookID)",
                logger: logger
            )
        }
    }

    public func claimDeliveries(webhookID: Int64, holder: String, until: Date, now: Date) async throws
        -> WebhookEndpoint?
    {
        try await transaction { connection in
            // The endpoint's row is locked: of nodes claiming it at once, the second reads the first one's claim.
            var claim: DeliveryClaim?
            var found = false
            for try await (by, claimedUntil) in try await connection.run(
                "SELECT claimed_by, claimed_until FROM webhooks WHERE id = \(webhookID) FOR UPDATE",
                logger: logger
            ).decode((String?, Date?).self) {
                found = true
                if let by, let claimedUntil { claim = DeliveryClaim(holder: by, until: claimedUntil) }
            }
            guard found else { return nil }
            if let claim, !claim.yields(to: holder, now: now) { return nil }
            try await connection.run(
                "UPDATE webhooks SET claimed_by = \(holder), claimed_until = \(until) WHERE id = \(webhookID)",
                logger: logger
            )
            return try await Self.webhooks(connection, "id = $1", [webhookID], logger).first
        }
    }

    public func releaseDeliveries(webhookID: Int64, holder: String) async throws {
        try await transaction { connection in
            try await connection.run(
                """
                UPDATE webhooks SET claimed_by = NULL, claimed_until = NULL
                WHERE id = \(webhookID) AND claimed_by = \(holder)
                """,
                logger: logger
            )
        }
    }

    public func deliveries(webhookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await read { connection in
            var deliveries: [WebhookDelivery] = []
            for try await row in try await connection.run(
                """
                SELECT webhook_id, event_id, attempt, status_code, error, duration_ms, at FROM webhook_deliveries
                WHERE webhook_id = \(webhookID) ORDER BY id DESC LIMIT \(max(0, limit))
                """,
                logger: logger
            ).decode((Int64, Int64, Int, Int?, String?, Int, Date).self) {
                deliveries.append(
                    WebhookDelivery(
                        webhookID: row.0,
                        eventID: row.1,
                        attempt: row.2,
                        statusCode: row.3,
                        error: row.4,
                        durationMilliseconds: row.5,
                        at: row.6
                    )
                )
            }
            return deliveries
        }
    }

    static func webhooks(
        _ connection: PostgresConnection,
        _ condition: String,
        _ values: [any PostgresEncodable & Sendable],
        _ logger: Logger
    ) async throws -> [WebhookEndpoint] {
        var webhooks: [WebhookEndpoint] = []
        for try await row in try await connection.run(
            query(
                """
                SELECT id, name, sealed_url, sealed_secret, masked_url, allows_private_network, last_event_id, failures,
                    next_attempt_at, created_at, channel, locale
                FROM webhooks WHERE \(condition)
                """,
                values
            ),
            logger: logger
        ).decode((Int64, String, Data, Data, String, Bool, Int64, Int, Date?, Date, String?, String?).self) {
            webhooks.append(
                WebhookEndpoint(
                    id: row.0,
                    name: row.1,
                    sealedURL: Array(row.2),
                    sealedSecret: Array(row.3),
                    maskedURL: row.4,
                    allowsPrivateNetwork: row.5,
                    lastEventID: row.6,
                    failures: row.7,
                    nextAttemptAt: row.8,
                    createdAt: row.9,
                    channel: row.10.flatMap(AlertChannelKind.init(rawValue:)),
                    locale: row.11
                )
            )
        }
        return webhooks
    }
}

extension PostgresStore: AuditStore {
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await transaction { connection in
            for try await id in try await connection.run(
                """
                INSERT INTO audit_log (at, actor, source, action, target, before_values, after_values)
                VALUES (\(entry.at), \(entry.actor), \(entry.source.rawValue), \(entry.action), \(entry.target),
                    \(entry.before.map(StoredStrings.json)), \(entry.after.map(StoredStrings.json)))
                RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                var stored = entry
                stored.id = id
                return stored
            }
            return entry
        }
    }

    public func auditEntries(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { connection in
            try await Self.auditEntries(
                connection,
                "SELECT \(unescaped: Self.auditColumns) FROM audit_log WHERE id > \(id) ORDER BY id LIMIT \(max(0, limit))",
                logger
            )
        }
    }

    public func recentAudit(before id: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await read { connection in
            try await Self.auditEntries(
                connection,
                """
                SELECT \(unescaped: Self.auditColumns) FROM audit_log WHERE id < \(id ?? Int64.max) ORDER BY id DESC
                LIMIT \(max(0, limit))
                """,
                logger
            )
        }
    }

    static let auditColumns = "id, at, actor, source, action, target, before_values, after_values"

    static func auditEntries(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws
        -> [AuditEntry]
    {
        var entries: [AuditEntry] = []
        for try await row in try await connection.run(query, logger: logger).decode(
            (Int64, Date, String, String, String, String, String?, String?).self
        ) {
            entries.append(
                AuditEntry(
                    id: row.0,
                    at: row.1,
                    actor: row.2,
                    source: AuditEntry.Source(rawValue: row.3) ?? .cli,
                    action: row.4,
                    target: row.5,
                    before: row.6.flatMap(StoredStrings.values(json:)),
                    after: row.7.flatMap(StoredStrings.values(json:))
                )
            )
        }
        return entries
    }
}
