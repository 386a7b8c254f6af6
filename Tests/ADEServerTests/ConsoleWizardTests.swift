import ADECore
import ADETesting
import DEPSimulator
import Foundation
import Hummingbird
import HummingbirdTesting
import ServerToken
import Testing

@testable import ADEServer

/// The console's token wizards at the router level: add (name → certificate → upload), renew, refusals, delete.
@Suite(.timeLimit(.minutes(2)))
struct ConsoleWizardTests {
    /// A `multipart/form-data` body with text fields and one file, as a browser sends the upload form.
    static func multipart(_ fields: [String: String], file: String) -> (HTTPFields, ByteBuffer) {
        let boundary = "----adeTestBoundary7MA4YWxkTrZu0gW"
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"token.p7m\"\r\n"
        body += "Content-Type: application/pkcs7-mime\r\n\r\n\(file)\r\n--\(boundary)--\r\n"
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(string: body))
    }

    @Test func addATokenThroughTheWizard() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            let cookie: HTTPFields = [.cookie: session.cookie]
            var form = cookie
            form[.contentType] = "application/x-www-form-urlencoded"

            let page = try await client.execute(uri: "/tokens/new", method: .get, headers: cookie)
            #expect(String(buffer: page.body).contains("Add an enrollment program token"))
            let forged = try await client.execute(
                uri: "/tokens",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "name=Campus")
            )
            #expect(forged.status == .forbidden)
            let invalid = try await client.execute(
                uri: "/tokens",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&name=Healthy")
            )
            #expect(invalid.status == .badRequest, "the name is taken")
            #expect(String(buffer: invalid.body).contains("A token named “Healthy” already exists."))

            let created = try await client.execute(
                uri: "/tokens",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&name=Campus+Macs")
            )
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/tokens/Campus%20Macs/upload")
            let wizard = try await client.execute(uri: "/tokens/Campus%20Macs/upload", method: .get, headers: cookie)
            #expect(String(buffer: wizard.body).contains("Upload the token for Campus Macs"))
            let pem = try await client.execute(
                uri: "/tokens/Campus%20Macs/certificate.pem",
                method: .get,
                headers: cookie
            )
            let certificate = String(buffer: pem.body)
            #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))

            // The certificate to a new MDM server in the simulated ABM; its .p7m through the upload form.
            let simulator = fixture.harness.simulator
            let server = simulator.addServer(name: "Campus Macs", devices: 40)
            try simulator.uploadCertificate(pem: certificate, server: server.uuid)
            let (headers, body) = Self.multipart(
                ["csrf": session.csrf],
                file: try simulator.downloadToken(server: server.uuid).contents
            )
            var upload = headers
            upload[.cookie] = session.cookie
            let unforged = try await client.execute(
                uri: "/tokens/Campus%20Macs/upload",
                method: .post,
                headers: upload,
                body: Self.multipart(["csrf": "forged"], file: "x").1
            )
            #expect(unforged.status == .forbidden)
            let uploaded = try await client.execute(
                uri: "/tokens/Campus%20Macs/upload",
                method: .post,
                headers: upload,
                body: body
            )
            #expect(uploaded.status == .seeOther)
            #expect(uploaded.headers[.location] == "/tokens/Campus%20Macs?notice=stored")
            let token = try #require(try await fixture.store.token(named: "Campus Macs"))
            #expect(token.serverName == "Campus Macs")
            #expect(
                token.baseURL == fixture.harness.baseURL,
                "tokens added in the console point at the configured service"
            )
        }
    }

    @Test func renewalRefusalsAreShownClearly() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            let simulator = fixture.harness.simulator
            let renew = try await client.execute(
                uri: "/tokens/Healthy/renew",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(String(buffer: renew.body).contains("The certificate does not change at renewal"))

            // A file that is no token, then a token of another MDM server.
            let (headers, garbage) = Self.multipart(["csrf": session.csrf], file: "not a token")
            var upload = headers
            upload[.cookie] = session.cookie
            let undecryptable = try await client.execute(
                uri: "/tokens/Healthy/renew",
                method: .post,
                headers: upload,
                body: garbage
            )
            #expect(undecryptable.status == .badRequest)
            #expect(String(buffer: undecryptable.body).contains("could not be decrypted with this token"))

            let certificate = try #require(try await fixture.tokens.certificate(name: "Healthy"))
            try simulator.uploadCertificate(pem: certificate.pemRepresentation, server: simulator.servers[1].uuid)
            let other = Self.multipart(
                ["csrf": session.csrf],
                file: try simulator.downloadToken(server: simulator.servers[1].uuid).contents
            ).1
            let refused = try await client.execute(
                uri: "/tokens/Healthy/renew",
                method: .post,
                headers: upload,
                body: other
            )
            #expect(refused.status == .badRequest)
            let page = String(buffer: refused.body)
            #expect(page.contains("class=\"problem\""))
            #expect(page.contains("Healthy") && page.contains("Rejected"), "names both MDM servers")
            #expect(try await fixture.store.token(named: "Healthy")?.serverName == "Healthy", "nothing changed")
        }
    }

    @Test func deleteStatesWhatIsLostAndNeedsConfirmation() async throws {
        try await ServerFixture.with { fixture, client in
            let session = try await fixture.signIn(client)
            var form: HTTPFields = [.cookie: session.cookie]
            form[.contentType] = "application/x-www-form-urlencoded"
            let page = try await client.execute(
                uri: "/tokens/Healthy/delete",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            let text = String(buffer: page.body)
            #expect(text.contains("deletes its private key"))
            #expect(text.contains("its 1200 devices"))
            let unconfirmed = try await client.execute(
                uri: "/tokens/Healthy/delete",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)")
            )
            #expect(unconfirmed.status == .seeOther)
            #expect(try await fixture.store.token(named: "Healthy") != nil, "not without the confirmation")
            let deleted = try await client.execute(
                uri: "/tokens/Healthy/delete",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "csrf=\(session.csrf)&confirm=yes")
            )
            #expect(deleted.headers[.location] == "/?notice=deleted")
            #expect(try await fixture.store.token(named: "Healthy") == nil)
            let home = try await client.execute(
                uri: "/?notice=deleted",
                method: .get,
                headers: [.cookie: session.cookie]
            )
            #expect(String(buffer: home.body).contains("The token is deleted."))
        }
    }
}
