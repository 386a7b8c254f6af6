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
                    runs: Self.newestRuns(from: row, at: Self.tokenColumnCount + 1),
                    presentDevices: row.int(Self.tokenColumnCount),
                    facts: Self.facts(from: row, at: Self.tokenColumnCount + 1 + 3 * Self.runColumnCount)
                )
            }
        }
    }

    /// The page of tokens, their present devices, their newest finished, successful and failed runs (one index seek
    /// each: sync_runs_by_token, sync_runs_by_outcome) and their health facts, in one prepared statement.
    static let tokenListSQL = """
        SELECT \(tokenColumns(of: "t")), t.present_devices, \(newestRunColumns), \(factsColumns)
        FROM (SELECT * FROM tokens WHERE name > ? COLLATE NOCASE ORDER BY name COLLATE NOCASE LIMIT ?) t
        \(newestRunsJoins)
        \(factsJoin)
        ORDER BY t.name COLLATE NOCASE
        """

    /// The columns of a token's newest finished (`f`), successful (`s`) and failed (`x`) runs, joined by
    /// ``newestRunsJoins`` to a token `t`.
    static let newestRunColumns = "\(runColumns(of: "f")), \(runColumns(of: "s")), \(runColumns(of: "x"))"

    static let newestRunsJoins = """
        LEFT JOIN sync_runs f ON f.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome <> 'running'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs s ON s.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'succeeded'
            ORDER BY id DESC LIMIT 1)
        LEFT JOIN sync_runs x ON x.id = (SELECT id FROM sync_runs WHERE token_id = t.id AND outcome = 'failed'
            ORDER BY id DESC LIMIT 1)
        """

    /// The runs of ``newestRunColumns`` starting at column `start`.
    static func newestRuns(from row: SQLiteColumns, at start: Int32) -> RunSummary {
        RunSummary(
            lastFinished: run(from: row, at: start),
            lastSuccess: run(from: row, at: start + runColumnCount),
            lastFailure: run(from: row, at: start + 2 * runColumnCount)
        )
    }
}
