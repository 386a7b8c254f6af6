public import DEPClient
import Foundation

extension Profile {
    /// Every field of this profile that Apple would refuse, as ``ProfileError``s naming the field, in field order;
    /// empty when the profile can be defined. Apple's rules (``Profile/validationIssues()``) and `ade`'s own checks
    /// of the certificates and Setup Assistant items.
    public func problems() -> [ProfileError] {
        var problems = validationIssues().map { issue in
            ProfileError.field(issue.field, code: issue.code, value: value(of: issue.field))
        }
        for (field, certificates) in [("anchor_certs", anchorCerts), ("supervising_host_certs", supervisingHostCerts)] {
            for (index, certificate) in (certificates ?? []).enumerated() where !Self.looksLikeCertificate(certificate)
            {
                problems.append(
                    ProfileError(.certificateInvalid, parameters: ["field": field, "index": String(index + 1)])
                )
            }
        }
        for (index, item) in (skipSetupItems ?? []).enumerated()
        where item.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ProfileError(.skipItemInvalid, parameters: ["index": String(index + 1)]))
        }
        return problems
    }

    /// The text of a field, for a message.
    private func value(of field: String) -> String? {
        switch field {
        case "language": return language
        case "region": return region
        case "profile_name": return profileName.map { String($0.count) }
        default: return nil
        }
    }

    /// Base64 of DER whose outer element is a SEQUENCE of a plausible size.
    static func looksLikeCertificate(_ text: String) -> Bool {
        guard let der = Data(base64Encoded: text.filter { !$0.isWhitespace }), der.count > 32 else { return false }
        return der.first == 0x30
    }
}

extension ProfileError {
    /// The profile error for one of Apple's profile error codes about `field` — the same whether `ade` found it
    /// before sending or Apple answered it.
    public static func field(_ field: String, code: DEPError.Code, value: String? = nil) -> ProfileError {
        var parameters = ["field": field]
        if let value { parameters["value"] = value }
        switch code {
        case .profileNameRequired: return ProfileError(.nameRequired, parameters: parameters)
        case .profileNameInvalid: return ProfileError(.nameTooLong, parameters: parameters)
        case .profileURLRequired: return ProfileError(.urlRequired, parameters: parameters)
        case .departmentInvalid: return ProfileError(.departmentInvalid, parameters: parameters)
        case .magicInvalid: return ProfileError(.orgMagicTooLong, parameters: parameters)
        case .supportEmailInvalid: return ProfileError(.supportEmailInvalid, parameters: parameters)
        case .supportPhoneInvalid: return ProfileError(.supportPhoneInvalid, parameters: parameters)
        case .flagsInvalid: return ProfileError(.removableNeedsSupervision, parameters: parameters)
        case .localeInvalid:
            return ProfileError(field == "region" ? .regionInvalid : .languageInvalid, parameters: parameters)
        default: return ProfileError(.urlInvalid, parameters: parameters)
        }
    }

    /// Apple's answer to a definition as a profile error, when it is about a field; nil for any other failure.
    public static func answered(_ error: DEPError) -> ProfileError? {
        let fields: [DEPError.Code: String] = [
            .profileNameRequired: "profile_name", .profileNameInvalid: "profile_name", .profileURLRequired: "url",
            .profileURLInvalid: "url", .departmentInvalid: "department", .magicInvalid: "org_magic",
            .supportEmailInvalid: "support_email_address", .supportPhoneInvalid: "support_phone_number",
            .flagsInvalid: "is_mdm_removable", .localeInvalid: "language",
        ]
        return fields[error.code].map { field($0, code: error.code) }
    }
}
