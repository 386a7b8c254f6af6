/// An organisation of the simulated Apple Business Manager.
struct SimulatedOrganisation: Sendable {
    var id: String
    var name: String
    /// `org` or `edu`.
    var type: String
    var email: String
    var adminAppleID: String
    /// False once new terms are published, until an administrator accepts them.
    var termsAccepted = true
    var appleSeedForIT: Bool
}
