/// One of the three things Automated Device Enrollment does for a token, which a state can break.
public enum ADEFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Devices assigned in ABM/ASM reach the MDM.
    case deviceSync = "device_sync"
    /// Devices get their enrollment profile.
    case profileAssignment = "profile_assignment"
    /// Devices complete ADE enrollment in Setup Assistant.
    case enrollment

    /// The function's name.
    public var nameKey: MessageKey { MessageKey("function.\(rawValue)") }
}

/// A state's entry in the catalogue: how bad it is, what it breaks, whether it clears by itself, and the keys of
/// its title, cause, impact and numbered remediation steps.
public struct TokenStateEntry: Sendable, Hashable {
    public var state: TokenState
    /// `error` states stop ADE for the token and make `ade doctor` exit 3.
    public var severity: Severity
    /// The functions of ADE that do not work while the token is in this state.
    public var breaks: [ADEFunction]
    /// Whether the state ends without the admin once its cause is gone (the next successful call to Apple).
    public var clearsByItself: Bool
    /// How many numbered remediation steps the catalogue has (`state.<state>.step.1` …).
    public var stepCount: Int

    /// The state's short name.
    public var titleKey: MessageKey { MessageKey("state.\(state.rawValue).title") }
    /// What happened, in plain words.
    public var causeKey: MessageKey { MessageKey("state.\(state.rawValue).cause") }
    /// What it means for the organisation's devices.
    public var impactKey: MessageKey { MessageKey("state.\(state.rawValue).impact") }
    /// The numbered steps that fix it.
    public var stepKeys: [MessageKey] {
        (0..<stepCount).map { MessageKey("state.\(state.rawValue).step.\($0 + 1)") }
    }
    /// Every key of the entry.
    public var keys: [MessageKey] { [titleKey, causeKey, impactKey] + stepKeys }
}

extension TokenState {
    /// The state's catalogue entry.
    public var entry: TokenStateEntry {
        let all = ADEFunction.allCases
        switch self {
        case .healthy:
            return TokenStateEntry(state: self, severity: .ok, breaks: [], clearsByItself: true, stepCount: 0)
        case .expiring:
            return TokenStateEntry(state: self, severity: .warning, breaks: [], clearsByItself: false, stepCount: 3)
        case .expired:
            return TokenStateEntry(state: self, severity: .error, breaks: all, clearsByItself: false, stepCount: 4)
        case .termsNotAccepted:
            return TokenStateEntry(state: self, severity: .error, breaks: all, clearsByItself: true, stepCount: 3)
        case .rejected:
            return TokenStateEntry(state: self, severity: .error, breaks: all, clearsByItself: false, stepCount: 4)
        case .accessDenied:
            return TokenStateEntry(state: self, severity: .error, breaks: all, clearsByItself: false, stepCount: 4)
        case .forbidden:
            return TokenStateEntry(state: self, severity: .error, breaks: all, clearsByItself: false, stepCount: 4)
        case .cannotReachApple:
            // Devices that already have a profile still enroll: Setup Assistant asks Apple, not ade.
            return TokenStateEntry(
                state: self,
                severity: .error,
                breaks: [.deviceSync, .profileAssignment],
                clearsByItself: true,
                stepCount: 3
            )
        case .appleUnavailable:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.deviceSync, .profileAssignment],
                clearsByItself: true,
                stepCount: 2
            )
        case .clockSkew:
            return TokenStateEntry(
                state: self,
                severity: .error,
                breaks: [.deviceSync, .profileAssignment],
                clearsByItself: true,
                stepCount: 2
            )
        case .throttled:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.deviceSync],
                clearsByItself: true,
                stepCount: 2
            )
        case .syncStalled:
            return TokenStateEntry(
                state: self,
                severity: .error,
                breaks: [.deviceSync, .profileAssignment],
                clearsByItself: true,
                stepCount: 3
            )
        case .problemConfirming:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.deviceSync],
                clearsByItself: true,
                stepCount: 2
            )
        case .syncPending:
            return TokenStateEntry(state: self, severity: .ok, breaks: [], clearsByItself: true, stepCount: 1)
        case .syncIncomplete:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.deviceSync, .profileAssignment],
                clearsByItself: true,
                stepCount: 2
            )
        case .cursorRecovery:
            return TokenStateEntry(state: self, severity: .warning, breaks: [], clearsByItself: true, stepCount: 1)
        case .assignmentsFailing:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.profileAssignment, .enrollment],
                clearsByItself: true,
                stepCount: 3
            )
        case .noDefaultProfile:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.profileAssignment, .enrollment],
                clearsByItself: false,
                stepCount: 2
            )
        case .awaitingUpload:
            return TokenStateEntry(state: self, severity: .warning, breaks: all, clearsByItself: false, stepCount: 3)
        case .neverSynced:
            return TokenStateEntry(
                state: self,
                severity: .warning,
                breaks: [.deviceSync],
                clearsByItself: true,
                stepCount: 2
            )
        }
    }

    /// The state's short name.
    public var titleKey: MessageKey { entry.titleKey }
    /// What happened, in plain words.
    public var causeKey: MessageKey { entry.causeKey }
    /// What it means for the devices.
    public var impactKey: MessageKey { entry.impactKey }
}

extension Severity {
    /// The severity's name.
    public var nameKey: MessageKey { MessageKey("severity.\(rawValue)") }
}
