/// A word as a POSIX shell reads it back unchanged, for the commands `ade` suggests (remedies, hints, the console's
/// steps): `Contoso iPads` → `'Contoso iPads'`, `it's` → `'it'\''s'`. A word made only of characters no shell treats
/// specially stays bare, so the usual names read as typed.
public enum ShellWord {
    /// `word`, quoted when a shell would split, expand or otherwise change it.
    public static func quote(_ word: String) -> String {
        guard !word.isEmpty else { return "''" }
        if word.unicodeScalars.allSatisfy(isPlain) { return word }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }

    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "@", "%", "+", ",", "=": true
        default: false
        }
    }
}
