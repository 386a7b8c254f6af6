import ADECore
import Foundation
import Hummingbird

/// The console's audit log: every change from the console, the API and the command line, newest first, a page at a
/// time, and the whole log as JSON lines to download.
extension ConsoleController {
    /// Entries per page.
    static let auditPageSize = 100

    func addAuditRoutes(to pages: RouterGroup<ADERequestContext>) {
        pages.get("audit", use: auditPage)
        pages.get("audit.jsonl", use: auditExport)
    }

    @Sendable func auditPage(_ request: Request, context: ADERequestContext) async throws -> Response {
        let before = request.uri.queryParameters.get("before").flatMap(Int64.init)
        let entries = try await dependencies.store.recentAudit(before: before, limit: Self.auditPageSize)
        func changes(_ values: [String: String]?) -> String {
            values.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") } ?? "—"
        }
        let values: [String: Any] = [
            "entries": entries.map { entry -> [String: Any] in
                [
                    "at": Self.dateTime(entry.at, context), "actor": entry.actor,
                    "source": context.text(entry.source.nameKey),
                    "action": entry.action, "target": entry.target,
                    "before": changes(entry.before), "after": changes(entry.after),
                ]
            },
            "hasEntries": !entries.isEmpty,
            "older": entries.count == Self.auditPageSize ? entries.last.map { String($0.id) } ?? "" : "",
        ]
        let overviews = try await dependencies.overviews()
        var frame = frame(title: context.text(.auditTitle), overviews: overviews, context: context)
        frame.breadcrumb = [.init(label: context.text(.auditTitle))]
        return renderer.page("audit", frame: frame, context: context, request: request, values: values)
    }

    /// The whole log, oldest first, one JSON object per line (as `ade audit export` writes it).
    @Sendable func auditExport(_ request: Request, context: ADERequestContext) async throws -> Response {
        var lines = ""
        var last: Int64 = 0
        while true {
            let page = try await dependencies.store.auditEntries(after: last, limit: 1000)
            for entry in page { lines += entry.jsonLine + "\n" }
            guard let newest = page.last else { break }
            last = newest.id
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/x-ndjson; charset=utf-8",
                .contentDisposition: "attachment; filename=\"ade-audit.jsonl\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: lines))
        )
    }
}
