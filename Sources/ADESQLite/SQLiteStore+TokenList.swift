public import ADECore
import Foundation
import GRDB

extension SQLiteStore: TokenListStore {
    public func tokenList(after name: String?, limit: Int) async throws -> [TokenListEntry] {
        try await read { db in
            try SQLiteColumns.rows(
                of: db.cachedStatement(sql: Self.tokenListSQL),
                arguments: [name ?? "", max(0, limit)],
                in: db
            ) { row in
                TokenListEntry(
                    token: Self.token(from: row),
                    runs: RunSummary(
                        lastFinished: Self.run(from: row, at: Self.tokenColumnCount + 1),
                        lastSuccess: Self.run(from: row, at: Self.tokenColumnCount + 1 + Self.runColumnCount),
                        lastFailure: Self.run(from: row, at: Self.tokenColumnCount + 1 + 2 * Self.runColumnCount)
                    ),
                    presentDevices: row.int(Self.tokenColumnCount)
                )
            }
        }
    }

    /// The page of tokens, their present devices, then their newest finished, successful and failed runs: one
    /// index seek per run (sync_runs_by_token, sync_runs_by_outcome), one prepared statement.
    static let tokenListSQL = """
        SELECT \(tokenColumns(of: "t")), t.present_devices,
            \(runColumns(of: "f")), \(runColumns(of: "s")), \(runColumns(of: "x"))
        FROM (SELECT * FROM tokens WHERE name > ? COLLATE NOCASE ORDER BY name COLLATE NOCASE LIMIT ?) t
        LEFT JOIN sync_runs f ON f.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome <> 'running'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs s ON s.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'succeeded'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs x ON x.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'failed'
            ORDER BY id DESC LIMIT 1)
        ORDER BY t.name COLLATE NOCASE
        """

    /// A token from ``tokenColumns`` at the start of a row.
    static func token(from row: SQLiteColumns) -> EnrollmentToken {
        EnrollmentToken(
            id: row.int64(0),
            name: row.text(1) ?? "",
            baseURL: row.text(2).flatMap(URL.init(string:)) ?? DEPServerDefaults.appleBaseURL,
            createdAt: row.requiredDate(3),
            consumerKey: row.text(4),
            accessTokenExpiry: row.date(5),
            issuedAt: row.date(6),
            serverName: row.text(7),
            serverUUID: row.text(8),
            organisationName: row.text(9),
            adminAppleID: row.text(10),
            uploadedAt: row.date(11),
            pendingSince: row.date(12),
            syncIntervalSeconds: row.optionalInt(13)
        )
    }

    /// A run from ``runColumns`` starting at column `start`, or nil when a left join found none.
    static func run(from row: SQLiteColumns, at start: Int32) -> SyncRun? {
        guard !row.isNull(start) else { return nil }
        return SyncRun(
            id: row.int64(start),
            tokenID: row.int64(start + 1),
            kind: row.text(start + 2).flatMap(SyncRun.Kind.init(rawValue:)) ?? .delta,
            startedAt: row.requiredDate(start + 3),
            endedAt: row.date(start + 4),
            pages: row.int(start + 5),
            added: row.int(start + 6),
            modified: row.int(start + 7),
            removed: row.int(start + 8),
            outcome: row.text(start + 9).flatMap(SyncRun.Outcome.init(rawValue:)) ?? .interrupted,
            errorCode: row.text(start + 10)
        )
    }
}
