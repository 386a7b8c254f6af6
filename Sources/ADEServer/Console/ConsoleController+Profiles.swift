import ADECore
import ADESupport
import DEPClient
import Foundation
import Hummingbird

/// The console's enrollment profiles of a token: the list, the default profile, a new profile with the Setup
/// Assistant panes as a checklist, and where each device's assignment stands, with "retry now".
extension ConsoleController {
    /// Apple's Setup Assistant panes that a profile can skip (Apple adds some every year; unknown ones are sent as is).
    static let setupAssistantPanes = [
        "Accessibility", "AccessibilityAppearance", "ActionButton", "Android", "Appearance", "AppleID", "AppStore",
        "Biometric", "CameraButton", "DeviceToDeviceMigration", "Diagnostics", "EnableLockdownMode", "FileVault",
        "iCloudDiagnostics", "iCloudStorage", "iMessageAndFaceTime", "Intelligence", "Keyboard", "LiquidGlass",
        "Location", "MessagingActivationUsingPhoneNumber", "Multitasking", "OSShowcase", "Passcode", "Payment",
        "Privacy", "Restore", "RestoreCompleted", "Safety", "SafetyAndHandling", "ScreenSaver", "ScreenTime",
        "SIMSetup", "Siri", "SoftwareUpdate", "SpokenLanguage", "TapToSetup", "TermsOfAddress", "Tips", "TOS",
        "TVHomeScreenSync", "TVProviderSignIn", "TVRoom", "UnlockWithWatch", "UpdateCompleted", "WatchMigration",
        "Welcome", "Zoom",
    ]

    func addProfileRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("tokens/:name/profiles", use: profilesPage)
        pages.post("tokens/:name/profiles", use: createProfile)
        pages.post("tokens/:name/profiles/default", use: setDefaultProfile)
        pages.post("tokens/:name/profiles/retry", use: retryAssignment)
        pages.get("tokens/:name/profiles/:profile", use: profilePage)
        pages.post("tokens/:name/profiles/:profile", use: editProfile)
    }

    /// A profile's fields as the form shows them.
    static func formValues(_ profile: Profile) -> [String: Any] {
        [
            "name": profile.profileName ?? "", "url": profile.url ?? "", "department": profile.department ?? "",
            "supportPhone": profile.supportPhoneNumber ?? "", "supportEmail": profile.supportEmailAddress ?? "",
            "language": profile.language ?? "", "region": profile.region ?? "",
            "supervised": profile.isSupervised == true, "removable": profile.isMDMRemovable ?? true,
            "awaitConfigured": profile.awaitDeviceConfigured == true, "autoAdvance": profile.autoAdvanceSetup == true,
            "multiUser": profile.isMultiUser == true,
        ]
    }

    /// Apple's panes, checked when skipped, then any other skipped item (Apple adds panes every year).
    static func skipChoices(_ skipped: [String]) -> [[String: Any]] {
        (setupAssistantPanes + skipped.filter { !setupAssistantPanes.contains($0) })
            .map { ["key": $0, "checked": skipped.contains($0)] }
    }

    struct NewProfileForm: Decodable {
        var csrf: String
        var name: String
        var url: String
        var department: String?
        var supportPhone: String?
        var supportEmail: String?
        var language: String?
        var region: String?
        var supervised: String?
        var removable: String?
        var awaitConfigured: String?
        var autoAdvance: String?
        var multiUser: String?
        var makeDefault: String?
        var skip: [String]?

        /// Apple's fields; empty text fields are left out.
        var profile: Profile {
            func text(_ value: String?) -> String? {
                value.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            return Profile(
                profileName: text(name),
                url: text(url),
                isSupervised: supervised == "on",
                isMDMRemovable: removable == "on",
                isMultiUser: multiUser == "on" ? true : nil,
                awaitDeviceConfigured: awaitConfigured == "on" ? true : nil,
                autoAdvanceSetup: autoAdvance == "on" ? true : nil,
                supportPhoneNumber: text(supportPhone),
                supportEmailAddress: text(supportEmail),
                department: text(department),
                language: text(language),
                region: text(region),
                skipSetupItems: skip.flatMap { $0.isEmpty ? nil : $0 }
            )
        }
    }

    struct DefaultForm: Decodable {
        var csrf: String
        var profile: String?
        var family: String?
    }

    struct RetryForm: Decodable {
        var csrf: String
        var serial: String
    }

    @Sendable func profilesPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await profilesPage(request, context: context, form: nil, problem: nil)
    }

    func profilesPage(
        _ request: Request,
        context: ADERequestContext,
        form: NewProfileForm?,
        problem: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            return notFound(ServerError(.tokenNotFound, parameters: ["name": name]), request, context)
        }
        let service = dependencies.profiles(context)
        let summaries = try await service.summaries(try await service.list(token: token.name), token: token.name)
        let allLabel = context.text(.profilesFamilyAll)
        let rows = summaries.map { summary -> [String: Any] in
            let families = summary.defaultFor.map { $0 == "all" ? allLabel : $0 }
            return [
                "name": summary.name, "namePath": summary.name.pathEscaped, "version": summary.version,
                "uuid": summary.profileUUID ?? "—",
                "defaultFor": families.isEmpty ? "—" : families.joined(separator: ", "),
                "devices": summary.devices,
            ]
        }
        let counts = try await dependencies.store.assignmentCounts(tokenID: token.id)
        let chosen = request.uri.queryParameters.get("assignment").flatMap(DeviceAssignment.Status.init(rawValue:))
        var values: [String: Any] = [
            "name": token.name, "path": token.name.pathEscaped,
            "profiles": rows, "hasProfiles": !rows.isEmpty,
            // Preselected: the default for every device.
            "profileChoices": summaries.map { ["name": $0.name, "selected": $0.defaultFor.contains("all")] },
            "familyChoices": [["value": "all", "label": allLabel]]
                + ProfileService.families.map { ["value": $0.rawValue, "label": $0.rawValue] },
            "counts": DeviceAssignment.Status.allCases.compactMap { status -> [String: Any]? in
                guard let count = counts[status] else { return nil }
                return [
                    "status": status.rawValue, "count": count, "selected": status == chosen,
                    "label": context.text(status.labelKey),
                ]
            },
            "hasCounts": !counts.isEmpty,
            "skipItems": Self.skipChoices(form?.skip ?? []),
            // A new profile starts supervised and not removable by users, as Apple's devices are from iOS 13.
            "form": Self.formValues(form?.profile ?? Profile(isSupervised: true, isMDMRemovable: false)),
        ]
        if let chosen {
            let records = try await dependencies.store.assignments(
                tokenID: token.id,
                status: chosen,
                after: nil,
                limit: 100
            )
            values["records"] = records.map { record -> [String: Any] in
                [
                    "serial": record.serialNumber, "result": record.lastResult ?? "—", "failures": record.failures,
                    "next": record.nextAttemptAt.map { Self.dateTime($0, context) } ?? "—",
                    "meaning": context.text(record.status.explanationKey),
                ]
            }
            values["hasRecords"] = !records.isEmpty
        }
        let overviews = try await dependencies.overviews()
        var frame = frame(title: context.text(.profilesTitle), overviews: overviews, context: context)
        frame.breadcrumb[frame.breadcrumb.count - 1].href = "/"
        frame.breadcrumb.append(.init(label: token.name, href: "/tokens/\(token.name.pathEscaped)"))
        frame.breadcrumb.append(.init(label: context.text(.profilesTitle)))
        frame.problem = problem
        frame.notice = Self.profileNotice(request, context)
        return renderer.page(
            "profiles",
            frame: frame,
            context: context,
            request: request,
            values: values,
            status: status
        )
    }

    @Sendable func createProfile(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(NewProfileForm.self, request, context)
        let token = try context.pathParameter("name")
        let service = dependencies.profiles(context)
        do {
            let name = form.name.trimmingCharacters(in: .whitespaces)
            _ = try await service.create(token: token, name: name, profile: form.profile)
            if form.makeDefault == "on" { try await service.setDefault(token: token, name: name, family: nil) }
            await dependencies.audit(context, "profile.create", "\(token)/\(name)")
            return Response.redirect(to: "/tokens/\(token.pathEscaped)/profiles?notice=profile_created", type: .normal)
        } catch let error as any CataloguedError {
            return try await profilesPage(
                request,
                context: context,
                form: form,
                problem: describe(error, context),
                status: .unprocessableContent
            )
        }
    }

    @Sendable func setDefaultProfile(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(DefaultForm.self, request, context)
        let token = try context.pathParameter("name")
        do {
            let family = try ProfileService.family(form.family, allowingAll: true)
            let profile = form.profile.flatMap { $0.isEmpty ? nil : $0 }
            try await dependencies.profiles(context).setDefault(token: token, name: profile, family: family)
            await dependencies.audit(
                context,
                "profile.default",
                "\(token)/\(family?.rawValue ?? "all")=\(profile ?? "none")"
            )
            return Response.redirect(to: "/tokens/\(token.pathEscaped)/profiles?notice=default_set", type: .normal)
        } catch let error as any CataloguedError {
            return try await profilesPage(request, context: context, form: nil, problem: describe(error, context))
        }
    }

    @Sendable func retryAssignment(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(RetryForm.self, request, context)
        let name = try context.pathParameter("name")
        guard let token = try await dependencies.store.token(named: name) else {
            return notFound(ServerError(.tokenNotFound, parameters: ["name": name]), request, context)
        }
        do {
            let device = try await dependencies.store.device(tokenID: token.id, serial: form.serial)
            let defaults = try await dependencies.store.defaultProfiles(tokenID: token.id)
            guard let uuid = defaults.profileUUID(for: device?.device.deviceFamily) else {
                throw ProfileError(.notFound, parameters: ["token": token.name, "name": "default"])
            }
            _ = try await dependencies.profileAssigner(context).assign(
                profileUUID: uuid,
                to: [form.serial],
                token: token,
                server: try await dependencies.tokens.server(for: token)
            )
            await dependencies.audit(context, "profile.retry", "\(token.name)/\(form.serial)")
            return Response.redirect(to: "/tokens/\(token.name.pathEscaped)/profiles?notice=retried", type: .normal)
        } catch let error as any CataloguedError {
            return try await profilesPage(request, context: context, form: nil, problem: describe(error, context))
        }
    }

    @Sendable func profilePage(_ request: Request, context: ADERequestContext) async throws -> Response {
        try await profilePage(request, context: context, form: nil, problem: nil)
    }

    func profilePage(
        _ request: Request,
        context: ADERequestContext,
        form: NewProfileForm?,
        problem: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let name = try context.pathParameter("name")
        let profileName = try context.pathParameter("profile")
        guard let token = try await dependencies.store.token(named: name) else {
            return notFound(ServerError(.tokenNotFound, parameters: ["name": name]), request, context)
        }
        let service = dependencies.profiles(context)
        guard let stored = try await dependencies.store.profile(tokenID: token.id, named: profileName) else {
            return notFound(
                ProfileError(.notFound, parameters: ["token": token.name, "name": profileName]),
                request,
                context
            )
        }
        let fields = form?.profile ?? stored.profile
        let values: [String: Any] = [
            "path": token.name.pathEscaped, "namePath": stored.name.pathEscaped, "profileName": stored.name,
            "moving": context.text(
                .profileMoving,
                ["count": .int(try await service.devicesUsing(stored)), "version": .int(stored.version + 1)]
            ),
            "form": Self.formValues(fields), "skipItems": Self.skipChoices(fields.skipSetupItems ?? []),
        ]
        let overviews = try await dependencies.overviews()
        var frame = frame(title: stored.name, overviews: overviews, context: context)
        frame.breadcrumb[frame.breadcrumb.count - 1].href = "/"
        frame.breadcrumb.append(.init(label: token.name, href: "/tokens/\(token.name.pathEscaped)"))
        frame.breadcrumb.append(
            .init(label: context.text(.profilesTitle), href: "/tokens/\(token.name.pathEscaped)/profiles")
        )
        frame.breadcrumb.append(.init(label: stored.name))
        frame.problem = problem
        return renderer.page(
            "profile",
            frame: frame,
            context: context,
            request: request,
            values: values,
            status: status
        )
    }

    @Sendable func editProfile(_ request: Request, context: ADERequestContext) async throws -> Response {
        let form = try await Self.decodeForm(NewProfileForm.self, request, context)
        let token = try context.pathParameter("name")
        let name = try context.pathParameter("profile")
        do {
            let edit = try await dependencies.profiles(context).edit(token: token, name: name, profile: form.profile)
            await dependencies.audit(context, "profile.edit", "\(token)/\(name) v\(edit.profile.version)")
            return Response.redirect(to: "/tokens/\(token.pathEscaped)/profiles?notice=profile_edited", type: .normal)
        } catch let error as any CataloguedError {
            return try await profilePage(
                request,
                context: context,
                form: form,
                problem: describe(error, context),
                status: .unprocessableContent
            )
        }
    }

    static func profileNotice(_ request: Request, _ context: ADERequestContext) -> String? {
        switch request.uri.queryParameters.get("notice") {
        case "profile_created": context.text(.noticeProfileCreated)
        case "profile_edited": context.text(.noticeProfileEdited)
        case "default_set": context.text(.noticeDefaultSet)
        case "retried": context.text(.noticeRetried)
        default: nil
        }
    }
}
