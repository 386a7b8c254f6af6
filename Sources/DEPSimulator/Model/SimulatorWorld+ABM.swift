import ADESupport
import DEPClient
import Foundation
import ServerToken

extension SimulatorWorld {
    /// Stores the certificate an administrator uploads for a server; its RSA key receives the next token.
    mutating func uploadCertificate(server number: Int, pem: String) throws(DEPSimulatorError) {
        let certificate: TokenCertificate
        do {
            certificate = try TokenCertificate(pemRepresentation: pem)
            _ = try certificate.rsaPublicKey()
        } catch {
            throw DEPSimulatorError(.invalidCertificate, "The file is not a PEM certificate with an RSA public key.")
        }
        servers[number].certificate = certificate
    }

    /// Downloads a new server token, encrypted to the uploaded certificate exactly as ABM does. The previous token
    /// stops working (`token_rejected`) and its sessions end.
    mutating func downloadToken(server number: Int, now: Date, byAnotherAdministrator: Bool = false)
        throws(DEPSimulatorError)
        -> (fileName: String, contents: String)
    {
        guard let certificate = servers[number].certificate else {
            throw DEPSimulatorError(.noCertificate, "Upload the MDM server's public key certificate first.")
        }
        let previous = servers[number].credentials
        // Renewed by the same ABM user, the consumer key stays; another user's download brings a new one.
        let credentials = newCredentials(
            consumerKey: byAnotherAdministrator ? "CK_" + hex(48) : previous.consumerKey,
            now: now
        )
        let contents: String
        do {
            contents = try ServerTokenEncryptor(recipient: certificate).encrypt(credentials)
        } catch {
            throw DEPSimulatorError(.encryptionFailed, "The token could not be encrypted to the certificate.")
        }
        servers[number].supersededAccessTokens.insert(previous.accessToken)
        servers[number].credentials = credentials
        servers[number].tokenGeneration += 1
        servers[number].revoked = false
        sessions = sessions.filter { $0.value.server != number }
        let stamp = Timestamp.format(now).replacingOccurrences(of: ":", with: "-")
        return ("\(servers[number].name)_Token_\(stamp)_smime.p7m", contents)
    }

    /// Publishes new terms: every call of the organisation's servers answers `T_C_NOT_SIGNED` until accepted.
    mutating func publishTerms(organisation: Int) {
        organisations[organisation].termsAccepted = false
    }

    /// An administrator accepts the terms.
    mutating func acceptTerms(organisation: Int) {
        organisations[organisation].termsAccepted = true
    }

    /// Revokes a server's token in ABM (as when its Apple Account is removed); a new download restores it.
    mutating func revoke(server number: Int) {
        servers[number].revoked = true
        sessions = sessions.filter { $0.value.server != number }
    }

    /// Makes every outstanding cursor of a server `INVALID_CURSOR`.
    mutating func invalidateCursors(server number: Int) {
        servers[number].cursorGeneration += 1
    }
}
