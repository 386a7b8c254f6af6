extension String {
    /// The text as it may go into a log when it comes from someone who has not signed in: at most `limit`
    /// characters, hidden characters (``Unicode/Scalar/isHidden``) replaced, and the full length said when it was
    /// cut, so that a 60 KB name sent a thousand times costs the log a few bytes each time.
    public func loggable(limit: Int = 64) -> String {
        let cleaned = unicodeScalars.prefix(limit).map { $0.isHidden ? "\u{FFFD}" : String($0) }.joined()
        let length = unicodeScalars.count
        return length > limit ? "\(cleaned)… (\(length) characters)" : cleaned
    }
}
