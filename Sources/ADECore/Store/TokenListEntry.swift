/// One row of the token list as stored: the token, its latest runs and its present devices.
public struct TokenListEntry: Sendable, Hashable {
    public var token: EnrollmentToken
    /// Its newest finished, successful and failed runs.
    public var runs: RunSummary
    /// Its devices that are not removed.
    public var presentDevices: Int

    public init(token: EnrollmentToken, runs: RunSummary, presentDevices: Int) {
        self.token = token
        self.runs = runs
        self.presentDevices = presentDevices
    }
}
