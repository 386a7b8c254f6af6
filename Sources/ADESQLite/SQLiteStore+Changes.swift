public import ADECore

extension SQLiteStore: ChangeTracking {
    /// SQLite's `data_version` for a file (any connection's commits, any process's), a commit count in memory.
    public func changeStamp() -> UInt64 { changes.stamp() }
}
