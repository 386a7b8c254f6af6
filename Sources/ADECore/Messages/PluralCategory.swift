/// A CLDR plural category. Which categories a language uses, and which number falls in which, is decided by
/// ``PluralCategory/category(of:language:)``.
public enum PluralCategory: String, Sendable, CaseIterable, Codable {
    case zero, one, two, few, many, other

    /// The categories a language distinguishes for cardinal integers, `other` last.
    public static func categories(language: String) -> [PluralCategory] {
        switch language {
        case "ja", "id", "zh", "ko", "th", "vi": return [.other]
        case "fr", "es", "pt", "it", "ca": return [.one, .many, .other]
        default: return [.one, .other]
        }
    }

    /// The category of an integer count in a language (CLDR cardinal rules, integers only).
    ///
    /// - English, German, Dutch, Swedish: `one` for 1.
    /// - French and Brazilian Portuguese: `one` for 0 and 1; `many` for non-zero multiples of a million.
    /// - Spanish, Italian, Catalan, European Portuguese: `one` for 1; `many` for non-zero multiples of a million.
    /// - Japanese, Indonesian, Chinese, Korean: `other` only.
    public static func category(of count: Int, language: String) -> PluralCategory {
        let magnitude = count.magnitude
        let isMillions = magnitude != 0 && magnitude % 1_000_000 == 0
        switch language {
        case "ja", "id", "zh", "ko", "th", "vi":
            return .other
        case "fr", "pt":
            if magnitude <= 1 { return .one }
            return isMillions ? .many : .other
        case "es", "it", "ca":
            if magnitude == 1 { return .one }
            return isMillions ? .many : .other
        default:
            return magnitude == 1 ? .one : .other
        }
    }
}
