import ADECore
import DEPClient
import Foundation
import Hummingbird

/// Enrollment profiles over `/api/v1`: a token's profiles (checked against Apple's rules before anything is sent),
/// its default profiles, assignment on demand, removal, and each device's assignment record.
extension APIController {
    struct ProfileBody: APIRequestBody {
        var name: String?
        var profile: Profile
        var `default`: Bool?
        var family: String?

        static let fields = ["name", "profile", "default", "family"]
        static let example = #"{"name": "…", "profile": {"profile_name": "…", "url": "https://…"}}"#
    }

    struct AssignBody: APIRequestBody {
        var serials: [String]?
        var all: Bool?

        static let fields = ["serials", "all"]
        static let example = #"{"serials": ["…"]}"#
    }

    struct DefaultBody: APIRequestBody {
        /// The profile's name; null clears the default.
        var profile: String?

        static let fields = ["profile"]
        static let example = #"{"profile": "…"}"#
    }

    struct SerialsBody: APIRequestBody {
        var serials: [String]

        static let fields = ["serials"]
        static let example = #"{"serials": ["…"]}"#
    }

    func addProfileRoutes(to group: RouterGroup<ADERequestContext>) {
        group.get("tokens/:name/profiles", use: listProfiles)
        group.post("tokens/:name/profiles", use: createProfile)
        group.get("tokens/:name/profiles/:profile", use: showProfile)
        group.put("tokens/:name/profiles/:profile", use: editProfile)
        group.delete("tokens/:name/profiles/:profile", use: deleteProfile)
        group.post("tokens/:name/profiles/:profile/assign", use: assignProfile)
        group.get("tokens/:name/default-profiles", use: defaultProfiles)
        group.put("tokens/:name/default-profiles/:family", use: setDefaultProfile)
        group.post("tokens/:name/remove-profile", use: removeProfile)
        group.post("tokens/:name/refresh-devices", use: refreshDevices)
        group.get("tokens/:name/assignments", use: listAssignments)
    }

    @Sendable func listProfiles(_ request: Request, context: ADERequestContext) async throws -> APIModels.ProfileList {
        try await api {
            let token = try await token(context)
            let service = dependencies.profiles(context)
            return APIModels.ProfileList(
                token: token.name,
                profiles: try await service.summaries(try await service.list(token: token.name), token: token.name)
            )
        }
    }

    @Sendable func createProfile(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            let body = try await decode(ProfileBody.self, request)
            guard let name = body.name, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError(.badRequest, ServerError(.missingParameter, parameters: ["name": "name"]))
            }
            let family = try ProfileService.family(body.family)
            let service = dependencies.profiles(context)
            let stored = try await service.create(token: token.name, name: name, profile: body.profile)
            if body.default == true { try await service.setDefault(token: token.name, name: name, family: family) }
            await dependencies.audit(
                context,
                "profile.create",
                "\(token.name)/\(name)",
                after: ["uuid": stored.profileUUID ?? "", "default": body.default == true ? "yes" : "no"]
            )
            return try APIModels.ProfileResponse(summary: try await service.summaries([stored], token: token.name)[0])
                .response(from: request, context: context)
                .withStatus(.created)
        }
    }

    @Sendable func showProfile(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.ProfileResponse
    {
        try await api {
            let token = try await token(context)
            let service = dependencies.profiles(context)
            let stored = try await service.profile(token: token.name, named: try context.pathParameter("profile"))
            return APIModels.ProfileResponse(summary: try await service.summaries([stored], token: token.name)[0])
        }
    }

    @Sendable func editProfile(_ request: Request, context: ADERequestContext) async throws -> APIModels.ProfileEdit {
        try await api {
            let token = try await token(context)
            let body = try await decode(ProfileBody.self, request)
            let service = dependencies.profiles(context)
            let edit = try await service.edit(
                token: token.name,
                name: try context.pathParameter("profile"),
                profile: body.profile
            )
            await dependencies.audit(
                context,
                "profile.edit",
                "\(token.name)/\(edit.profile.name)",
                after: ["version": String(edit.profile.version), "uuid": edit.profile.profileUUID ?? ""]
            )
            return APIModels.ProfileEdit(
                profile: try await service.summaries([edit.profile], token: token.name)[0],
                moved: edit.moved.outcomes[.assigned] ?? 0,
                notMoved: edit.moved.devices - (edit.moved.outcomes[.assigned] ?? 0),
                coolingDown: edit.skipped
            )
        }
    }

    @Sendable func deleteProfile(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await api {
            let token = try await token(context)
            let name = try context.pathParameter("profile")
            try await dependencies.profiles(context).delete(token: token.name, name: name)
            await dependencies.audit(context, "profile.delete", "\(token.name)/\(name)")
            return Response(status: .noContent)
        }
    }

    @Sendable func assignProfile(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.AssignmentList
    {
        try await api {
            let token = try await token(context)
            let body = try await decode(AssignBody.self, request)
            // Either chosen serials or every device, never both and never neither (`"serials": []` with `all`).
            guard (body.serials != nil) != (body.all == true), body.all != false else {
                throw APIError(.badRequest, ServerError(.serialsOrAll))
            }
            // Every device, or chosen ones the token has: 1 to 100,000 either way.
            let serials: [String]
            if body.all == true {
                let all = try await dependencies.store.allDevices(tokenID: token.id).map(\.serialNumber)
                serials = try Self.checkedSerials(all, maximum: 100_000)
            } else {
                serials = try Self.checkedSerials(body.serials ?? [], maximum: 100_000)
                try await checkKnown(serials, token: token)
            }
            let name = try context.pathParameter("profile")
            _ = try await dependencies.profiles(context).assign(token: token.name, name: name, serialNumbers: serials)
            await dependencies.audit(
                context,
                "profile.assign",
                "\(token.name)/\(name)",
                after: ["devices": String(serials.count)]
            )
            let records = try await dependencies.store.assignments(tokenID: token.id, serialNumbers: serials)
            return APIModels.AssignmentList(
                token: token.name,
                assignments: records.values.sorted { $0.serialNumber < $1.serialNumber }
            )
        }
    }

    @Sendable func defaultProfiles(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.DefaultProfiles
    {
        try await api {
            let token = try await token(context)
            return APIModels.DefaultProfiles(
                token: token.name,
                defaults: try await dependencies.profiles(context).defaultNames(token: token.name)
            )
        }
    }

    @Sendable func setDefaultProfile(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.DefaultProfiles
    {
        try await api {
            let token = try await token(context)
            let path = try context.pathParameter("family")
            let family = try ProfileService.family(path, allowingAll: true)
            let body = try await decode(DefaultBody.self, request)
            let service = dependencies.profiles(context)
            let before = try await service.defaultNames(token: token.name)
            try await service.setDefault(token: token.name, name: body.profile, family: family)
            let after = try await service.defaultNames(token: token.name)
            await dependencies.audit(
                context,
                "profile.default",
                "\(token.name)/\(path)",
                before: before,
                after: after
            )
            return APIModels.DefaultProfiles(
                token: token.name,
                defaults: try await service.defaultNames(token: token.name)
            )
        }
    }

    @Sendable func removeProfile(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.RemovalResults
    {
        try await api {
            let token = try await token(context)
            let body = try await decode(SerialsBody.self, request)
            let serials = try Self.checkedSerials(body.serials, maximum: 10_000)
            let results = try await dependencies.profiles(context).removeProfile(
                token: token.name,
                serialNumbers: serials
            )
            await dependencies.audit(
                context,
                "profile.remove",
                token.name,
                after: ["devices": serials.sorted().joined(separator: ",")]
            )
            return APIModels.RemovalResults(token: token.name, devices: results.mapValues(\.rawValue))
        }
    }

    @Sendable func refreshDevices(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.RefreshResults
    {
        try await api {
            let token = try await token(context)
            let body = try await decode(SerialsBody.self, request)
            let serials = try Self.checkedSerials(body.serials, maximum: 10_000)
            let report = try await dependencies.deviceRefresher(context).refresh(
                token: token.name,
                serialNumbers: serials
            )
            await dependencies.audit(context, "device.refresh", token.name)
            return APIModels.RefreshResults(
                token: token.name,
                devices: report.results.mapValues(\.rawValue),
                modified: report.changes.modified,
                notStored: report.notStored.sorted()
            )
        }
    }

    @Sendable func listAssignments(_ request: Request, context: ADERequestContext) async throws
        -> APIModels.AssignmentList
    {
        try await api {
            let token = try await token(context)
            let status = try request.uri.queryParameters.get("status").map { text in
                guard let status = DeviceAssignment.Status(rawValue: text.replacingOccurrences(of: "-", with: "_"))
                else {
                    throw APIError(
                        .badRequest,
                        ServerError(
                            .invalidParameter,
                            parameters: [
                                "name": "status",
                                "allowed": DeviceAssignment.Status.allCases.map(\.rawValue).joined(separator: ", "),
                            ]
                        )
                    )
                }
                return status
            }
            let limit = try request.integer("limit", default: 100, range: 1...Self.maximumPageSize)
            let records = try await dependencies.store.assignments(
                tokenID: token.id,
                status: status,
                after: request.uri.queryParameters.get("after"),
                limit: limit + 1
            )
            let shown = records.prefix(limit)
            return APIModels.AssignmentList(
                token: token.name,
                assignments: Array(shown),
                nextAfter: records.count > limit ? shown.last?.serialNumber : nil
            )
        }
    }

    // MARK: - Helpers

    /// A JSON body of at most 1 MB.

    /// Serial numbers as Apple writes them (upper case, each once), 1 to `maximum` of them, none empty.
    static func checkedSerials(_ serials: [String], maximum: Int) throws -> [String] {
        var seen: Set<String> = []
        let checked = serials.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter {
            seen.insert($0).inserted
        }
        guard (1...maximum).contains(checked.count), !checked.contains(where: \.isEmpty) else {
            throw APIError(
                .badRequest,
                ServerError(.serialsInvalid, parameters: ["minimum": "1", "maximum": String(maximum)])
            )
        }
        return checked
    }

    /// Refuses serial numbers the token has no device for (422), naming the first ten: an assignment of them would
    /// be dropped while the audit counted it.
    func checkKnown(_ serials: [String], token: EnrollmentToken) async throws {
        let stored = try await dependencies.store.storedSerials(tokenID: token.id, among: serials)
        let unknown = serials.filter { !stored.contains($0) }
        guard unknown.isEmpty else {
            throw APIError(
                .unprocessableContent,
                ServerError(
                    .serialsUnknown,
                    parameters: [
                        "name": token.name, "count": String(unknown.count),
                        "serials": unknown.prefix(10).joined(separator: ", ") + (unknown.count > 10 ? ", …" : ""),
                    ]
                )
            )
        }
    }
}

extension APIModels {
    /// One profile, as ``ProfileSummary`` encodes it.
    struct ProfileResponse: ResponseEncodable {
        var summary: ProfileSummary

        func encode(to encoder: any Encoder) throws { try summary.encode(to: encoder) }
    }

    /// Apple's answer per serial to a details refresh, and what it changed.
    struct RefreshResults: ResponseEncodable {
        var token: String
        var devices: [String: String]
        var modified: Int
        var notStored: [String]

        enum CodingKeys: String, CodingKey {
            case token, devices, modified
            case notStored = "not_stored"
        }
    }

    struct ProfileList: ResponseEncodable {
        var token: String
        var profiles: [ProfileSummary]
    }

    struct ProfileEdit: ResponseEncodable {
        var profile: ProfileSummary
        var moved: Int
        var notMoved: Int
        var coolingDown: Int

        enum CodingKeys: String, CodingKey {
            case profile, moved
            case notMoved = "not_moved"
            case coolingDown = "cooling_down"
        }
    }

    struct DefaultProfiles: ResponseEncodable {
        var token: String
        /// Profile names by family (`all`: every device).
        var defaults: [String: String]
    }

    struct AssignmentList: ResponseEncodable {
        var token: String
        var assignments: [DeviceAssignment]
        var nextAfter: String?

        enum CodingKeys: String, CodingKey {
            case token, assignments
            case nextAfter = "next_after"
        }
    }

    struct RemovalResults: ResponseEncodable {
        var token: String
        /// Apple's answer per serial number.
        var devices: [String: String]
    }
}
