import ADECore
import Foundation
import ServerToken
import Testing

struct TokenKeyRingTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let credentials = OAuthCredentials(
        consumerKey: "CK_ring",
        consumerSecret: "CS_ring",
        accessToken: "AT_O1O2O1790000000000",
        accessSecret: "AS_ring",
        accessTokenExpiry: Date(timeIntervalSince1970: 1_821_536_000)
    )

    private func token(for certificate: TokenCertificate) throws -> [UInt8] {
        Array(try ServerTokenEncryptor(recipient: certificate).encrypt(credentials).utf8)
    }

    @Test func theFirstUploadPromotesTheStagingPair() throws {
        var ring = TokenKeyRing()
        #expect(ring.certificateForABM == nil)
        let certificate = try ring.makeStagingPair(commonName: "Contoso", now: now)
        #expect(ring.certificateForABM == certificate)
        #expect(ring.current == nil)
        let decryption = try ring.decrypt(try token(for: certificate))
        #expect(decryption.credentials == credentials)
        #expect(decryption.usedStaging)
        ring.promoteStaging()
        #expect(ring.current?.certificate == certificate)
        #expect(ring.staging == nil)
    }

    @Test func renewalNeedsNoNewCertificate() throws {
        var ring = TokenKeyRing()
        let certificate = try ring.makeStagingPair(commonName: "Contoso", now: now)
        ring.promoteStaging()
        let renewal = try ring.decrypt(try token(for: certificate))
        #expect(!renewal.usedStaging)
    }

    @Test func aNewCertificateLeavesTheCurrentPairWorkingUntilItIsUsed() throws {
        var ring = TokenKeyRing()
        let first = try ring.makeStagingPair(commonName: "Contoso", now: now)
        ring.promoteStaging()
        let second = try ring.makeStagingPair(commonName: "Contoso", now: now)
        #expect(ring.certificateForABM == second)
        // A token still encrypted to the old certificate (ABM not updated yet) still decrypts.
        #expect(try !ring.decrypt(try token(for: first)).usedStaging)
        #expect(ring.current?.certificate == first)
        // A third request replaces the unused staging pair; the current pair stays.
        let third = try ring.makeStagingPair(commonName: "Contoso", now: now)
        #expect(throws: ServerTokenError(.noMatchingRecipient, reason: "")) { try ring.decrypt(try token(for: second)) }
        let upload = try ring.decrypt(try token(for: third))
        #expect(upload.usedStaging)
        ring.promoteStaging()
        #expect(ring.current?.certificate == third)
    }

    @Test func reportsTheMostTellingFailure() throws {
        var ring = TokenKeyRing()
        #expect(throws: ServerTokenError(.noMatchingRecipient, reason: "")) { try ring.decrypt(Array("x".utf8)) }
        try ring.makeStagingPair(commonName: "A", now: now)
        ring.promoteStaging()
        try ring.makeStagingPair(commonName: "B", now: now)
        let stranger = try TokenKeyPair.generate(notValidBefore: now)
        #expect(throws: ServerTokenError(.noMatchingRecipient, reason: "")) {
            try ring.decrypt(try token(for: stranger.certificate))
        }
        #expect(throws: ServerTokenError(.notSMIME, reason: "")) { try ring.decrypt(Array("hello".utf8)) }
        let certificate = try #require(ring.current?.certificate)
        var damaged = try token(for: certificate)
        damaged.removeLast(200)
        #expect(throws: ServerTokenError(.malformedCMS, reason: "")) { try ring.decrypt(damaged) }
    }
}
