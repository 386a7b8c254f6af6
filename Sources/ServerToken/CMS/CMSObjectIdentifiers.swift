public import SwiftASN1

/// Object identifiers of the CMS, PKCS #1 and NIST registries that server tokens use, and human names for them.
public enum CMSObjectIdentifiers {
    // Content types (RFC 5652 §3–§9, RFC 3274, RFC 5083).
    public static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]
    public static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    public static let envelopedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 3]
    public static let digestedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 5]
    public static let encryptedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 6]
    public static let authenticatedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 2]
    public static let compressedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 9]
    public static let authEnvelopedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 16, 1, 23]

    // Key transport (RFC 8017).
    public static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    public static let rsaesOAEP: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 7]
    public static let mgf1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 8]
    public static let pSpecified: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 9]

    // Digests.
    public static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    public static let sha224: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 4]
    public static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    public static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    public static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    // Content encryption.
    public static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
    public static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
    public static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    public static let aes128GCM: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 6]
    public static let aes192GCM: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 26]
    public static let aes256GCM: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 46]
    public static let desEDE3CBC: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 3, 7]
    public static let desCBC: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 7]
    public static let rc2CBC: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 3, 2]

    private static let names: [ASN1ObjectIdentifier: String] = [
        data: "data", signedData: "signedData", envelopedData: "envelopedData", digestedData: "digestedData",
        encryptedData: "encryptedData", authenticatedData: "authenticatedData", compressedData: "compressedData",
        authEnvelopedData: "authEnvelopedData",
        rsaEncryption: "RSA PKCS#1 v1.5", rsaesOAEP: "RSA-OAEP", mgf1: "MGF1", pSpecified: "pSpecified",
        sha1: "SHA-1", sha224: "SHA-224", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512",
        aes128CBC: "AES-128-CBC", aes192CBC: "AES-192-CBC", aes256CBC: "AES-256-CBC",
        aes128GCM: "AES-128-GCM", aes192GCM: "AES-192-GCM", aes256GCM: "AES-256-GCM",
        desEDE3CBC: "DES-EDE3-CBC (3DES)", desCBC: "DES-CBC", rc2CBC: "RC2-CBC",
    ]

    /// A name a person recognises (`AES-128-CBC`, `signedData`), or the dotted OID when it has none.
    public static func name(of oid: ASN1ObjectIdentifier) -> String {
        names[oid] ?? oid.description
    }
}
