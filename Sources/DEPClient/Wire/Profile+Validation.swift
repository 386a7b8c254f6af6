import Foundation

extension Profile {
    /// A field that breaks one of Apple's rules, with the error code Apple answers for it.
    public struct ValidationIssue: Hashable, Sendable, CustomStringConvertible {
        /// The JSON field.
        public var field: String
        /// What Apple answers (`CONFIG_NAME_INVALID` → ``DEPError/Code/profileNameInvalid``).
        public var code: DEPError.Code
        /// The body code Apple sends for it.
        public var appleCode: String

        public var description: String { "\(field): \(appleCode)" }
    }

    /// Apple's limits on profile fields.
    public enum Limits {
        public static let name = 125
        public static let url = 2000
        public static let department = 125
        public static let orgMagic = 256
        public static let supportEmail = 250
        public static let supportPhone = 50
    }

    /// Every rule of Apple's this profile breaks, in field order; empty when Apple would accept it.
    ///
    /// The rules are those of Apple's error catalogue: name and URL required, length limits, a well-formed HTTP(S)
    /// URL, `is_mdm_removable` false only when supervised, ISO language and region codes.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func add(_ field: String, _ code: DEPError.Code, _ appleCode: String) {
            issues.append(ValidationIssue(field: field, code: code, appleCode: appleCode))
        }
        if let name = profileName, !name.isEmpty {
            if name.count > Limits.name { add("profile_name", .profileNameInvalid, "CONFIG_NAME_INVALID") }
        } else {
            add("profile_name", .profileNameRequired, "CONFIG_NAME_REQUIRED")
        }
        if let url, !url.isEmpty {
            if url.utf8.count > Limits.url || !Self.isWebURL(url) {
                add("url", .profileURLInvalid, "CONFIG_URL_INVALID")
            }
        } else {
            add("url", .profileURLRequired, "CONFIG_URL_REQUIRED")
        }
        if let configurationWebURL, configurationWebURL.utf8.count > Limits.url || !Self.isWebURL(configurationWebURL) {
            add("configuration_web_url", .profileURLInvalid, "CONFIG_URL_INVALID")
        }
        if let department, department.isEmpty || department.count > Limits.department {
            add("department", .departmentInvalid, "DEPARTMENT_INVALID")
        }
        if let orgMagic, orgMagic.count > Limits.orgMagic {
            add("org_magic", .magicInvalid, "MAGIC_INVALID")
        }
        if let email = supportEmailAddress, email.isEmpty || email.count > Limits.supportEmail || !Self.isEmail(email) {
            add("support_email_address", .supportEmailInvalid, "SUPPORT_EMAIL_INVALID")
        }
        if let phone = supportPhoneNumber, phone.isEmpty || phone.count > Limits.supportPhone {
            add("support_phone_number", .supportPhoneInvalid, "SUPPORT_PHONE_INVALID")
        }
        if isMDMRemovable == false, isSupervised != true {
            add("is_mdm_removable", .flagsInvalid, "FLAGS_INVALID")
        }
        if let language, !(2...3).contains(language.count) || !language.allSatisfy({ $0.isASCII && $0.isLetter }) {
            add("language", .localeInvalid, "LOCALE_INVALID")
        }
        if let region, region.count != 2 || !region.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            add("region", .localeInvalid, "LOCALE_INVALID")
        }
        return issues
    }

    /// An absolute `http` or `https` URL with a host (RFC 2396 syntax, as Foundation parses it).
    static func isWebURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            return false
        }
        return !text.contains(where: \.isWhitespace)
    }

    /// `local@domain.tld`, without spaces.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
    }
}
