/// An enrollment profile (`Profile`, for Define a Profile and Get a Profile).
public struct Profile: Codable, Hashable, Sendable {
    public var profileName: String?
    public var url: String?
    public var configurationWebURL: String?
    public var allowPairing: Bool?
    public var isSupervised: Bool?
    public var isMandatory: Bool?
    public var isMDMRemovable: Bool?
    public var isMultiUser: Bool?
    public var awaitDeviceConfigured: Bool?
    public var autoAdvanceSetup: Bool?
    public var supportPhoneNumber: String?
    public var supportEmailAddress: String?
    public var orgMagic: String?
    public var department: String?
    /// ISO 639-1 or -2, at most 3 characters.
    public var language: String?
    /// ISO 3166-1 alpha-2.
    public var region: String?
    /// Base64 DER certificates.
    public var anchorCerts: [String]?
    /// Base64 DER certificates.
    public var supervisingHostCerts: [String]?
    public var skipSetupItems: [String]?
    /// Serials to assign in the define call itself.
    public var devices: [String]?
    public var isReturnToService: Bool?
    public var doNotUseProfileFromBackup: Bool?
    /// Only in Get a Profile answers.
    public var profileUUID: String?

    public init(
        profileName: String? = nil,
        url: String? = nil,
        configurationWebURL: String? = nil,
        allowPairing: Bool? = nil,
        isSupervised: Bool? = nil,
        isMandatory: Bool? = nil,
        isMDMRemovable: Bool? = nil,
        isMultiUser: Bool? = nil,
        awaitDeviceConfigured: Bool? = nil,
        autoAdvanceSetup: Bool? = nil,
        supportPhoneNumber: String? = nil,
        supportEmailAddress: String? = nil,
        orgMagic: String? = nil,
        department: String? = nil,
        language: String? = nil,
        region: String? = nil,
        anchorCerts: [String]? = nil,
        supervisingHostCerts: [String]? = nil,
        skipSetupItems: [String]? = nil,
        devices: [String]? = nil,
        isReturnToService: Bool? = nil,
        doNotUseProfileFromBackup: Bool? = nil,
        profileUUID: String? = nil
    ) {
        self.profileName = profileName
        self.url = url
        self.configurationWebURL = configurationWebURL
        self.allowPairing = allowPairing
        self.isSupervised = isSupervised
        self.isMandatory = isMandatory
        self.isMDMRemovable = isMDMRemovable
        self.isMultiUser = isMultiUser
        self.awaitDeviceConfigured = awaitDeviceConfigured
        self.autoAdvanceSetup = autoAdvanceSetup
        self.supportPhoneNumber = supportPhoneNumber
        self.supportEmailAddress = supportEmailAddress
        self.orgMagic = orgMagic
        self.department = department
        self.language = language
        self.region = region
        self.anchorCerts = anchorCerts
        self.supervisingHostCerts = supervisingHostCerts
        self.skipSetupItems = skipSetupItems
        self.devices = devices
        self.isReturnToService = isReturnToService
        self.doNotUseProfileFromBackup = doNotUseProfileFromBackup
        self.profileUUID = profileUUID
    }

    enum CodingKeys: String, CodingKey {
        case url, department, language, region, devices
        case profileName = "profile_name"
        case configurationWebURL = "configuration_web_url"
        case allowPairing = "allow_pairing"
        case isSupervised = "is_supervised"
        case isMandatory = "is_mandatory"
        case isMDMRemovable = "is_mdm_removable"
        case isMultiUser = "is_multi_user"
        case awaitDeviceConfigured = "await_device_configured"
        case autoAdvanceSetup = "auto_advance_setup"
        case supportPhoneNumber = "support_phone_number"
        case supportEmailAddress = "support_email_address"
        case orgMagic = "org_magic"
        case anchorCerts = "anchor_certs"
        case supervisingHostCerts = "supervising_host_certs"
        case skipSetupItems = "skip_setup_items"
        case isReturnToService = "is_return_to_service"
        case doNotUseProfileFromBackup = "do_not_use_profile_from_backup"
        case profileUUID = "profile_uuid"
    }
}
