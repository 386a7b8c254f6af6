import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird

/// The JSON shapes of `/api/v1` (snake_case keys, ISO 8601 dates). Never a secret.
enum APIModels {
    struct Token: ResponseEncodable {
        var name: String
        var baseUrl: String
        var organisationName: String?
        var serverName: String?
        var serverUuid: String?
        var adminAppleId: String?
        var consumerKey: String?
        var expiresAt: Date?
        var daysLeft: Int?
        var state: String
        var severity: String
        var stateSince: Date?
        var errorCode: String?
        var title: String
        var cause: String
        /// What the state means for the devices (the token's own answer and the alerts; not the list's items).
        var impact: String?
        /// The numbered remediation steps, in order (the token's own answer and the alerts; not the list's items).
        var steps: [String]?
        /// The steps as one text (`1. … 2. …`).
        var remedy: String
        /// The ADE functions the state breaks: `device_sync`, `profile_assignment`, `enrollment`.
        var breaks: [String]
        var clearsByItself: Bool
        /// The expiry ladder's step reached (30, 14, 7, 1), when the token expires within 30 days.
        var expiryStep: Int?
        var lastSuccessfulSyncAt: Date?
        var lastErrorCode: String?
        var lastErrorAt: Date?
        var deviceCount: Int
        var createdAt: Date
        var uploadedAt: Date?
        var pendingRenewalSince: Date?
        var syncing: Bool

        /// - Parameter detailed: With the state's impact and steps as their own fields (a list leaves them out: its
        ///   items have the steps as `remedy`, and are read 2,000 at a time).
        init(_ overview: TokenOverview, syncing: Bool, context: ADERequestContext, detailed: Bool = true) {
            let token = overview.token
            let health = overview.health
            let entry = health.state.entry
            let arguments = health.arguments(tokenName: token.name)
            let stepTexts = entry.stepKeys.map { context.text($0, arguments) }
            name = token.name
            baseUrl = token.baseURL.absoluteString
            organisationName = token.organisationName
            serverName = token.serverName
            serverUuid = token.serverUUID
            adminAppleId = token.adminAppleID
            consumerKey = token.consumerKey
            expiresAt = token.accessTokenExpiry
            daysLeft = health.daysLeft
            state = health.state.rawValue
            severity = health.severity.rawValue
            stateSince = health.since
            errorCode = health.errorCode
            title = context.text(entry.titleKey, arguments)
            cause = context.text(entry.causeKey, arguments)
            impact = detailed ? context.text(entry.impactKey, arguments) : nil
            steps = detailed ? stepTexts : nil
            remedy = HealthText.remedy(stepTexts)
            breaks = entry.breaks.map(\.rawValue)
            clearsByItself = entry.clearsByItself
            expiryStep = health.expiryStep
            lastSuccessfulSyncAt = overview.lastSuccessAt
            lastErrorCode = overview.lastErrorCode
            lastErrorAt = overview.lastErrorAt
            deviceCount = overview.deviceCount
            createdAt = token.createdAt
            uploadedAt = token.uploadedAt
            pendingRenewalSince = token.pendingSince
            self.syncing = syncing
        }

        enum CodingKeys: String, CodingKey {
            case name
            case baseUrl = "base_url"
            case organisationName = "organisation_name"
            case serverName = "server_name"
            case serverUuid = "server_uuid"
            case adminAppleId = "admin_apple_id"
            case consumerKey = "consumer_key"
            case expiresAt = "expires_at"
            case daysLeft = "days_left"
            case state
            case severity
            case stateSince = "state_since"
            case errorCode = "error_code"
            case title
            case cause
            case impact
            case steps
            case remedy
            case breaks
            case clearsByItself = "clears_by_itself"
            case expiryStep = "expiry_step"
            case lastSuccessfulSyncAt = "last_successful_sync_at"
            case lastErrorCode = "last_error_code"
            case lastErrorAt = "last_error_at"
            case deviceCount = "device_count"
            case createdAt = "created_at"
            case uploadedAt = "uploaded_at"
            case pendingRenewalSince = "pending_renewal_since"
            case syncing
        }
    }

    struct TokenList: Encodable {
        var tokens: [Token]
        /// The `after` value of the next page; nil on the last page.
        var nextAfter: String?

        enum CodingKeys: String, CodingKey {
            case tokens
            case nextAfter = "next_after"
        }
    }

    struct Run: ResponseEncodable {
        var id: Int64
        var kind: String
        var startedAt: Date
        var endedAt: Date?
        var outcome: String
        var errorCode: String?
        var pages: Int
        var added: Int
        var modified: Int
        var removed: Int

        init(_ run: SyncRun) {
            id = run.id
            kind = run.kind.rawValue
            startedAt = run.startedAt
            endedAt = run.endedAt
            outcome = run.outcome.rawValue
            errorCode = run.errorCode
            pages = run.pages
            added = run.added
            modified = run.modified
            removed = run.removed
        }

        enum CodingKeys: String, CodingKey {
            case id
            case kind
            case startedAt = "started_at"
            case endedAt = "ended_at"
            case outcome
            case errorCode = "error_code"
            case pages
            case added
            case modified
            case removed
        }
    }

    struct RunList: ResponseEncodable {
        var token: String
        var runs: [Run]
    }

    struct Device: ResponseEncodable {
        var token: String
        var serialNumber: String
        var model: String?
        var description: String?
        var color: String?
        var assetTag: String?
        var deviceFamily: String?
        var os: String?
        var profileStatus: String?
        var profileUuid: String?
        var profileAssignTime: Date?
        var profilePushTime: Date?
        var deviceAssignedDate: Date?
        var deviceAssignedBy: String?
        var opType: String?
        var opDate: Date?
        var removed: Bool
        var removedAt: Date?
        var updatedAt: Date

        init(_ stored: StoredDevice, token: String) {
            let device = stored.device
            self.token = token
            serialNumber = device.serialNumber
            model = device.model
            description = device.description
            color = device.color
            assetTag = device.assetTag
            deviceFamily = device.deviceFamily?.rawValue
            os = device.os?.rawValue
            profileStatus = device.profileStatus?.rawValue
            profileUuid = device.profileUUID
            profileAssignTime = device.profileAssignTime
            profilePushTime = device.profilePushTime
            deviceAssignedDate = device.deviceAssignedDate
            deviceAssignedBy = device.deviceAssignedBy
            opType = device.opType?.rawValue
            opDate = device.opDate
            removed = stored.removedAt != nil
            removedAt = stored.removedAt
            updatedAt = stored.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case token
            case serialNumber = "serial_number"
            case model
            case description
            case color
            case assetTag = "asset_tag"
            case deviceFamily = "device_family"
            case os
            case profileStatus = "profile_status"
            case profileUuid = "profile_uuid"
            case profileAssignTime = "profile_assign_time"
            case profilePushTime = "profile_push_time"
            case deviceAssignedDate = "device_assigned_date"
            case deviceAssignedBy = "device_assigned_by"
            case opType = "op_type"
            case opDate = "op_date"
            case removed
            case removedAt = "removed_at"
            case updatedAt = "updated_at"
        }
    }

    /// A page of one token's devices. Kept as the store's values: its JSON is written from them directly (one
    /// ``Device`` made per device only by `encode(to:)`, which a test compares with the hand-written JSON).
    struct DeviceList: ResponseGenerator, Encodable {
        var devices: ArraySlice<StoredDevice>
        /// The name of the devices' token.
        var token: String
        /// The `after` value of the next page; nil on the last page.
        var nextAfter: String?

        enum CodingKeys: String, CodingKey {
            case devices
            case nextAfter = "next_after"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(devices.map { Device($0, token: token) }, forKey: .devices)
            try container.encodeIfPresent(nextAfter, forKey: .nextAfter)
        }
    }

    struct Alert: ResponseEncodable {
        var name: String
        var state: String
        var severity: String
        var title: String
        var cause: String
        var impact: String
        var steps: [String]
        var remedy: String
        var breaks: [String]
        var clearsByItself: Bool
        var since: Date?

        enum CodingKeys: String, CodingKey {
            case name, state, severity, title, cause, impact, steps, remedy, breaks, since
            case clearsByItself = "clears_by_itself"
        }
    }

    struct Alerts: ResponseEncodable {
        var errorCount: Int
        var warningCount: Int
        /// A sentence for people: how many tokens are in an error state and what it means.
        var summary: String?
        var tokens: [Alert]

        enum CodingKeys: String, CodingKey {
            case errorCount = "error_count"
            case warningCount = "warning_count"
            case summary
            case tokens
        }
    }

    struct SyncAccepted: ResponseEncodable {
        var token: String
        var status: String
    }
}

// MARK: - Written by hand (APIJSON)

extension APIModels.Device {
    /// A stored device as ``APIModels/Device`` encodes it, keys sorted, written without making the model.
    static func write(_ stored: borrowing StoredDevice, token: String, into json: inout APIJSON) {
        json.beginObject()
        json.field("asset_tag", stored.device.assetTag)
        json.field("color", stored.device.color)
        json.field("description", stored.device.description)
        json.field("device_assigned_by", stored.device.deviceAssignedBy)
        json.field("device_assigned_date", stored.device.deviceAssignedDate)
        json.field("device_family", stored.device.deviceFamily?.rawValue)
        json.field("model", stored.device.model)
        json.field("op_date", stored.device.opDate)
        json.field("op_type", stored.device.opType?.rawValue)
        json.field("os", stored.device.os?.rawValue)
        json.field("profile_assign_time", stored.device.profileAssignTime)
        json.field("profile_push_time", stored.device.profilePushTime)
        json.field("profile_status", stored.device.profileStatus?.rawValue)
        json.field("profile_uuid", stored.device.profileUUID)
        json.field("removed", stored.removedAt != nil)
        json.field("removed_at", stored.removedAt)
        json.field("serial_number", stored.device.serialNumber)
        json.field("token", token)
        json.field("updated_at", stored.updatedAt)
        json.endObject()
    }
}

extension APIModels.Token {
    /// The token as JSON, keys sorted.
    func write(into json: inout APIJSON) {
        json.beginObject()
        json.field("admin_apple_id", adminAppleId)
        json.field("base_url", baseUrl)
        json.field("breaks", breaks)
        json.field("cause", cause)
        json.field("clears_by_itself", clearsByItself)
        json.field("consumer_key", consumerKey)
        json.field("created_at", createdAt)
        json.field("days_left", daysLeft)
        json.field("device_count", deviceCount)
        json.field("error_code", errorCode)
        json.field("expires_at", expiresAt)
        json.field("expiry_step", expiryStep)
        json.field("impact", impact)
        json.field("last_error_at", lastErrorAt)
        json.field("last_error_code", lastErrorCode)
        json.field("last_successful_sync_at", lastSuccessfulSyncAt)
        json.field("name", name)
        json.field("organisation_name", organisationName)
        json.field("pending_renewal_since", pendingRenewalSince)
        json.field("remedy", remedy)
        json.field("server_name", serverName)
        json.field("server_uuid", serverUuid)
        json.field("severity", severity)
        json.field("state", state)
        json.field("state_since", stateSince)
        if let steps { json.field("steps", steps) }
        json.field("syncing", syncing)
        json.field("title", title)
        json.field("uploaded_at", uploadedAt)
        json.endObject()
    }
}

extension APIModels.DeviceList {
    /// The page as JSON, as `JSONEncoder` would write it.
    var json: APIJSON {
        var json = APIJSON(capacity: 64 + devices.count * 480)
        json.raw("{\"devices\":[")
        for index in devices.indices {
            if index > devices.startIndex { json.raw(",") }
            APIModels.Device.write(devices[index], token: token, into: &json)
        }
        json.raw("]")
        if let nextAfter {
            json.raw(",\"next_after\":")
            json.string(nextAfter)
        }
        json.raw("}")
        return json
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        APIModels.jsonResponse(json)
    }
}

extension APIModels.TokenList {
    /// The page as JSON, as `JSONEncoder` would write it.
    var json: APIJSON {
        var json = APIJSON(capacity: 64 + tokens.count * 1500)
        if let nextAfter {
            json.raw("{\"next_after\":")
            json.string(nextAfter)
            json.raw(",\"tokens\":[")
        } else {
            json.raw("{\"tokens\":[")
        }
        for (index, token) in tokens.enumerated() {
            if index > 0 { json.raw(",") }
            token.write(into: &json)
        }
        json.raw("]}")
        return json
    }
}

extension APIModels {
    static func jsonResponse(_ json: APIJSON) -> Response {
        jsonResponse(json.byteBuffer)
    }

    static func jsonResponse(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}

extension APIModels {
    /// A token's changes of state, as ``TokenTransition`` encodes them.
    struct TransitionList: ResponseEncodable {
        var token: String
        var transitions: [TokenTransition]
    }
}
