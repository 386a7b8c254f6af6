/// One row of the token list as stored: the token, its latest runs, its present devices and its health facts.
public struct TokenListEntry: Sendable, Hashable {
    public var token: EnrollmentToken
    /// Its newest finished, successful and failed runs.
    public var runs: RunSummary
    /// Its devices that are not removed.
    public var presentDevices: Int
    /// What its state needs beyond the runs (failure streak, cursor recovery, failing assignments, default profile).
    public var facts: TokenFacts

    public init(token: EnrollmentToken, runs: RunSummary, presentDevices: Int, facts: TokenFacts = TokenFacts()) {
        self.token = token
        self.runs = runs
        self.presentDevices = presentDevices
        self.facts = facts
    }
}
