import ServerToken
import Testing

struct ServerTokenErrorTests {
    @Test func codesAreStableAndUnique() {
        let raw = ServerTokenError.Code.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(raw.contains("no_matching_recipient"))
        #expect(raw.contains("unsupported_algorithm"))
        #expect(raw.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
    }

    @Test func equalityAndMatchingUseTheCodeOnly() {
        let error = ServerTokenError(.fieldMissing, parameters: ["field": "access_secret"], reason: "a")
        #expect(error == ServerTokenError(.fieldMissing, reason: "b"))
        #expect(error != ServerTokenError(.fieldInvalid, reason: "a"))
        do {
            throw error
        } catch ServerTokenError.Code.fieldMissing {
        } catch {
            Issue.record("the code pattern did not match")
        }
    }

    @Test func descriptionShowsTheCodeAlone() {
        let error = ServerTokenError(
            .unsupportedAlgorithm,
            parameters: ["algorithm": "DES-EDE3-CBC (3DES)"],
            reason: "r"
        )
        #expect(error.description == "ServerTokenError.unsupported_algorithm")
        #expect(error.debugDescription.contains("algorithm=DES-EDE3-CBC (3DES)"))
    }
}
