public import ServerToken

/// An error about an uploaded token file itself: it could not be read or decrypted (`ServerTokenError`).
///
/// The server answers every one of them alike, whatever the cause, so that its answers reveal nothing about the key
/// (no padding oracle); it catches this protocol rather than importing `ServerToken` for its error type.
public protocol TokenFileError: Error {}

extension ServerTokenError: TokenFileError {}
