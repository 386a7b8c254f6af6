import ADESupport
import DEPClient
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

extension DEPSimulator {
    /// A minimal Apple Business Manager for people and browser tests, at `/abm`: the organisation's terms, its MDM
    /// servers, uploading a server's public key certificate (PEM pasted into a form), downloading its token.
    /// Plain HTML forms; no JavaScript.
    func addABMRoutes(to router: Router<BasicRequestContext>) {
        router.get("/abm") { request, _ in
            let message = request.uri.queryParameters.get("message").map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? $0
            }
            return self.abmPage(message: message)
        }
        router.post("/abm/terms/accept") { request, _ in
            let form = FormBody.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            // Each organisation's administrator accepts its own terms.
            self.acceptTerms(organisation: form["organisation"].flatMap { Int($0) } ?? 0)
            return Answer.redirect(to: "/abm?message=Terms+accepted")
        }
        router.post("/abm/servers") { request, _ in
            let form = FormBody.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                return self.abmPage(message: "Give the MDM server a name.", status: .badRequest)
            }
            self.addServer(
                name: String(name.prefix(100)),
                devices: min(max(Int(form["devices"] ?? "") ?? 0, 0), 1_000_000)
            )
            return Answer.redirect(to: "/abm?message=MDM+server+added")
        }
        router.post("/abm/servers/:uuid/certificate") { request, context in
            let uuid = try context.parameters.require("uuid")
            let form = FormBody.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            do {
                try self.uploadCertificate(pem: form["certificate"] ?? "", server: uuid)
            } catch let error as DEPSimulatorError {
                return self.abmPage(message: error.message, status: .badRequest)
            }
            return Answer.redirect(to: "/abm?message=Public+key+uploaded")
        }
        router.post("/abm/servers/:uuid/token") { _, context in
            do {
                return Self.tokenDownload(try self.downloadToken(server: try context.parameters.require("uuid")))
            } catch let error as DEPSimulatorError {
                return self.abmPage(message: error.message, status: .badRequest)
            }
        }
    }

    private func abmPage(message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let state = state()
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Simulated Apple Business Manager</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}
            td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}textarea{width:28em;height:6em}
            .message{background:#eef;padding:.6em}</style></head><body>
            <h1>Simulated Apple Business Manager</h1>
            <p>Preferences &gt; Your MDM Servers. This is the ade simulator, not Apple.</p>

            """
        if let message { html += "<p class=\"message\" role=\"status\">\(htmlEscaped(message))</p>\n" }
        for (index, accepted) in state.termsAccepted.enumerated() where !accepted {
            let name = htmlEscaped(index < state.organisations.count ? state.organisations[index] : "")
            html += """
                <form method="post" action="/abm/terms/accept"><input type="hidden" name="organisation" \
                value="\(index)"><p><strong>\(name): new terms and conditions must be accepted.</strong> Until then, \
                every MDM server of \(name) is refused (T_C_NOT_SIGNED).
                <button type="submit">Accept terms for \(name)</button></p></form>

                """
        }
        if !state.termsAccepted.contains(false) {
            html += "<p>Terms and conditions: accepted.</p>\n"
        }
        html += "<table><tr><th>MDM server</th><th>Devices</th><th>Public key</th><th>Server token</th></tr>\n"
        for server in state.servers {
            let uuid = htmlEscaped(server.uuid)
            html += """
                <tr><td>\(htmlEscaped(server.name))<br><small>\(uuid)</small></td><td>\(server.devices)</td>
                <td><form method="post" action="/abm/servers/\(uuid)/certificate">
                <label>Certificate (PEM)<br><textarea name="certificate" required></textarea></label><br>
                <button type="submit">Upload public key</button></form>
                \(server.certificateUploaded ? "<p>A public key is uploaded.</p>" : "")</td>
                <td><form method="post" action="/abm/servers/\(uuid)/token"><button type="submit"\
                \(server.certificateUploaded ? "" : " disabled")>Download token</button></form>
                <p>Token \(server.tokenGeneration), expires \(Timestamp.format(server.tokenExpiry))\
                \(server.revoked ? ", revoked" : "")</p></td></tr>

                """
        }
        html += """
            </table>
            <h2>Add an MDM server</h2>
            <form method="post" action="/abm/servers"><label>Name <input name="name" required></label>
            <label>Devices <input name="devices" type="number" min="0" value="100"></label>
            <button type="submit">Add MDM server</button></form>
            </body></html>

            """
        return Answer.text(html, status: status, contentType: "text/html;charset=UTF-8")
    }
}
