public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: WebhookStore {
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
        try await write { db in
            try Self.checkKey(keyCheck, in: db)
            guard try Self.webhookRow(db, "name = ?", [name]) == nil else {
                throw StoreError(.duplicateName, parameters: ["name": name])
            }
            let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM outbox") ?? 0
            let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") ?? 0
            try db.execute(
                sql: """
                    INSERT INTO webhooks (name, sealed_url, sealed_secret, masked_url, allows_private_network,
                        last_event_id, created_at, channel, locale)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, Data(sealedURL), Data(sealedSecret), maskedURL, allowsPrivateNetwork, max(last, seq),
                    date.stored, channel?.rawValue, locale,
                ]
            )
            guard let created = try Self.webhookRow(db, "id = ?", [db.lastInsertedRowID]) else {
                throw StoreError(.notFound, parameters: ["name": name])
            }
            return created
        }
    }

    public func webhooks() async throws -> [WebhookEndpoint] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.webhookColumns) FROM webhooks ORDER BY name").map(Self.webhook)
        }
    }

    public func webhook(named name: String) async throws -> WebhookEndpoint? {
        try await read { db in try Self.webhookRow(db, "name = ?", [name]) }
    }

    public func deleteWebhook(id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, parameters: ["name": String(id)]) }
        }
    }

    public func recordDelivery(_ delivery: WebhookDelivery, nextAttemptAt: Date?) async throws {
        try await write { db in
            guard try Self.webhookRow(db, "id = ?", [delivery.webhookID]) != nil else { return }
            try db.execute(
                sql: """
                    INSERT INTO webhook_deliveries (webhook_id, event_id, attempt, status_code, error, duration_ms, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    delivery.webhookID, delivery.eventID, delivery.attempt, delivery.statusCode, delivery.error,
                    delivery.durationMilliseconds, delivery.at.stored,
                ]
            )
            if delivery.succeeded {
                try db.execute(
                    sql: """
                        UPDATE webhooks SET last_event_id = MAX(last_event_id, ?), failures = 0, next_attempt_at = NULL
                        WHERE id = ?
                        """,
                    arguments: [delivery.eventID, delivery.webhookID]
                )
            } else {
                try db.execute(
                    sql: "UPDATE webhooks SET failures = failures + 1, next_attempt_at = ? WHERE id = ?",
                    arguments: [nextAttemptAt?.stored, delivery.webhookID]
                )
            }
        }
    }

    public func skipEvents(webhookID: Int64, through eventID: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhooks SET last_event_id = MAX(last_event_id, ?) WHERE id = ?",
                arguments: [eventID, webhookID]
            )
        }
    }

    public func claimDeliveries(webhookID: Int64, holder: String, until: Date, now: Date) async throws
        -> WebhookEndpoint?
    {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT claimed_by, claimed_until FROM webhooks WHERE id = ?",
                    arguments: [webhookID]
                )
            else { return nil }
            if let by = row[0] as String?, let claimedUntil = row[1] as Double?,
                !DeliveryClaim(holder: by, until: Date(stored: claimedUntil)).yields(to: holder, now: now)
            {
                return nil
            }
            try db.execute(
                sql: "UPDATE webhooks SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                arguments: [holder, until.stored, webhookID]
            )
            return try Self.webhookRow(db, "id = ?", [webhookID])
        }
    }

    public func releaseDeliveries(webhookID: Int64, holder: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhooks SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                arguments: [webhookID, holder]
            )
        }
    }

    public func deliveries(webhookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT webhook_id, event_id, attempt, status_code, error, duration_ms, at FROM webhook_deliveries
                    WHERE webhook_id = ? ORDER BY id DESC LIMIT ?
                    """,
                arguments: [webhookID, max(0, limit)]
            ).map { row in
                WebhookDelivery(
                    webhookID: row[0],
                    eventID: row[1],
                    attempt: row[2],
                    statusCode: row[3],
                    error: row[4],
                    durationMilliseconds: row[5],
                    at: Date(stored: row[6])
                )
            }
        }
    }

    static let webhookColumns = """
        id, name, sealed_url, sealed_secret, masked_url, allows_private_network, last_event_id, failures, \
        next_attempt_at, created_at, channel, locale
        """

    static func webhookRow(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws
        -> WebhookEndpoint?
    {
        try Row.fetchOne(db, sql: "SELECT \(webhookColumns) FROM webhooks WHERE \(condition)", arguments: arguments)
            .map(webhook)
    }

    static func webhook(from row: Row) -> WebhookEndpoint {
        WebhookEndpoint(
            id: row[0],
            name: row[1],
            sealedURL: [UInt8](row[2] as Data),
            sealedSecret: [UInt8](row[3] as Data),
            maskedURL: row[4],
            allowsPrivateNetwork: row[5],
            lastEventID: row[6],
            failures: row[7],
            nextAttemptAt: (row[8] as Double?).map(Date.init(stored:)),
            createdAt: Date(stored: row[9]),
            channel: (row[10] as String?).flatMap(AlertChannelKind.init(rawValue:)),
            locale: row[11]
        )
    }
}
