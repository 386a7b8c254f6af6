import ADESupport
public import Foundation

/// One write to `ade`'s configuration, kept for good: who did what to which object, from where, and the non-secret
/// fields before and after.
public struct AuditEntry: Sendable, Hashable {
    /// Where the change came from.
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        case console, api, cli

        /// The source's name for people.
        public var nameKey: MessageKey { MessageKey("audit.source.\(rawValue)") }
    }

    /// The entry's number, increasing in the order written (0 before it is stored).
    public var id: Int64
    public var at: Date
    /// `user:NAME` (a console user), `api-token:NAME`, or `os:USER` (the operating-system user of a CLI call).
    public var actor: String
    public var source: Source
    /// What was done: `token.create`, `profile.default`, `user.delete` …
    public var action: String
    /// What it was done to: a token's name, `TOKEN/PROFILE`, a user's name …
    public var target: String
    /// Non-secret fields before the change (nil: the object did not exist).
    public var before: [String: String]?
    /// Non-secret fields after the change (nil: the object no longer exists).
    public var after: [String: String]?

    public init(
        id: Int64 = 0,
        at: Date,
        actor: String,
        source: Source,
        action: String,
        target: String,
        before: [String: String]? = nil,
        after: [String: String]? = nil
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.before = before
        self.after = after
    }
}

/// As `ade audit export` and the console's download write it: one JSON object per entry, keys sorted, dates in
/// RFC 3339.
extension AuditEntry: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, at, actor, source, action, target, before, after
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(Timestamp.format(at), forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(source.rawValue, forKey: .source)
        try container.encode(action, forKey: .action)
        try container.encode(target, forKey: .target)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
    }

    /// The entry as one line of JSON.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The audit log: written once per change, never updated or deleted (the SQLite table refuses both).
public protocol AuditStore: Sendable {
    /// Appends an entry; returns it numbered.
    func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry
    /// Entries after `id` (0: from the first), oldest first, at most `limit`.
    func auditEntries(after id: Int64, limit: Int) async throws -> [AuditEntry]
    /// The newest entries, newest first, before `id` (nil: from the newest), at most `limit`.
    func recentAudit(before id: Int64?, limit: Int) async throws -> [AuditEntry]
}
