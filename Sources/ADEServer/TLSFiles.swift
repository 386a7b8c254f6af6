import Foundation
import NIOSSL

/// The server's own TLS certificate and key, from PEM files.
enum TLSFiles {
    /// A server TLS configuration from a certificate chain and a private key.
    /// - Throws: ``ServerError`` `tls_invalid` naming the file that cannot be loaded (never its content).
    static func configuration(_ files: (certificateChain: String, privateKey: String)) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw ServerError(.tlsInvalid, parameters: ["path": files.certificateChain])
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw ServerError(.tlsInvalid, parameters: ["path": files.privateKey])
        }
        guard !chain.isEmpty else { throw ServerError(.tlsInvalid, parameters: ["path": files.certificateChain]) }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
    }
}
