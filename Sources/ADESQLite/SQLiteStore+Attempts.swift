public import ADECore
public import Foundation
import GRDB

extension SQLiteStore: AttemptStore {
    public func recordAttempt(_ kind: AttemptKind, key: String, at date: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO attempts (kind, key, at) VALUES (?, ?, ?)",
                arguments: [kind.rawValue, key, date.stored]
            )
        }
    }

    public func attempts(_ kind: AttemptKind, key: String, after date: Date, limit: Int) async throws -> [Date] {
        try await read { db in
            try Double.fetchAll(
                db,
                sql: "SELECT at FROM attempts WHERE kind = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                arguments: [kind.rawValue, key, date.stored, max(0, limit)]
            ).map(Date.init(stored:))
        }
    }

    public func clearAttempts(_ kind: AttemptKind, key: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM attempts WHERE kind = ? AND key = ?", arguments: [kind.rawValue, key])
        }
    }

    public func pruneAttempts(before date: Date, keeping: Int) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM attempts WHERE at <= ?", arguments: [date.stored])
            var pruned = db.changesCount
            try db.execute(
                sql: "DELETE FROM attempts WHERE rowid NOT IN (SELECT rowid FROM attempts ORDER BY at DESC LIMIT ?)",
                arguments: [max(0, keeping)]
            )
            pruned += db.changesCount
            return pruned
        }
    }

    public func attemptCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM attempts") ?? 0 }
    }
}

extension SQLiteStore: SetupLinkStore {
    public func openSetupLink(digest: String, at date: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO setup_links (digest, opened_at) VALUES (?, ?)",
                arguments: [digest, date.stored]
            )
        }
    }

    public func isSetupLinkOpen(digest: String?) async throws -> Bool {
        try await read { db in
            if let digest {
                return try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM setup_links WHERE digest = ?)",
                    arguments: [digest]
                ) ?? false
            }
            return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM setup_links)") ?? false
        }
    }

    public func closeSetupLinks(digest: String) async throws -> Bool {
        try await write { db in
            guard
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM setup_links WHERE digest = ?)",
                    arguments: [digest]
                ) == true
            else { return false }
            try db.execute(sql: "DELETE FROM setup_links")
            return true
        }
    }
}
