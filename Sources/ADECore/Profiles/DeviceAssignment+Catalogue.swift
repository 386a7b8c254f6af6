extension DeviceAssignment.Status {
    /// The status in a few words (`Needs attention`), for lists and counts.
    public var labelKey: MessageKey { MessageKey("assignment.label.\(rawValue)") }
    /// What the status means for the device and what happens next, for a person.
    public var explanationKey: MessageKey { MessageKey("assignment.status.\(rawValue)") }
}
