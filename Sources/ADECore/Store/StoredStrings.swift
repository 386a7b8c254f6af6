import Foundation

/// How a store keeps a small map of strings in one text column (a run's error parameters, an audit entry's before
/// and after values): a JSON object, keys sorted, so that every store writes the same text.
public enum StoredStrings {
    /// The JSON text of `values`.
    public static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // A map of strings always encodes.
        return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The values of a JSON object of strings; nil for any other text.
    public static func values(json: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }
}
