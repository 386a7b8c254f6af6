import ADECore

extension MessageKey {
    static let languageName: MessageKey = "language.name"

    static let bannerSummary: MessageKey = "console.banner.summary"
    static let crumbDevices: MessageKey = "console.breadcrumb.devices"
    static let crumbEnrollDevices: MessageKey = "console.breadcrumb.enroll_devices"
    static let crumbAppleEnrollment: MessageKey = "console.breadcrumb.apple_enrollment"
    static let crumbTokens: MessageKey = "console.breadcrumb.tokens"
    static let tokensTitle: MessageKey = "console.tokens.title"
    static let devicesTitle: MessageKey = "console.devices.title"
    static let loginTitle: MessageKey = "console.login.title"
    static let setupTitle: MessageKey = "console.setup.title"
    static let setupNeededTitle: MessageKey = "console.setup.needed.title"
    static let setupNeededMessage: MessageKey = "console.setup.needed.message"
    static let errorTitle: MessageKey = "console.error.title"
    static let notFoundTitle: MessageKey = "console.not_found.title"
    static let daysLeft: MessageKey = "console.tokens.days_left"
    static let expiredDaysAgo: MessageKey = "console.tokens.expired_days_ago"
    static let never: MessageKey = "console.never"
    static let noticeSyncStarted: MessageKey = "console.notice.sync_started"
    static let noticeSyncTooSoon: MessageKey = "console.notice.sync_too_soon"
    static let noticeSyncUnavailable: MessageKey = "console.notice.sync_unavailable"
}
