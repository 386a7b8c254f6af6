extension DeviceAssignment.Status {
    /// What the status means for the device and what happens next, for a person.
    public var explanationKey: MessageKey { MessageKey("assignment.status.\(rawValue)") }
}
