#if canImport(Glibc)
public import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif
#if canImport(CoreFoundation)
// On Linux the `stat` structure reaches this module through CoreFoundation, which declares it too.
public import CoreFoundation
#endif

/// Creates files that hold secrets (private keys, the master key) with exact permissions from their first byte on:
/// the file never exists with wider ones, and an existing file is never followed through a link or overwritten.
public enum SecureFile {
    /// Why a file could not be created.
    public enum Failure: Error, Sendable {
        case exists
        case unwritable
    }

    /// Creates `path` with `mode` and writes `contents`.
    /// - Parameter replacing: Remove an existing file (not what a link points to) first.
    public static func create(_ path: String, contents: [UInt8], mode: mode_t, replacing: Bool = false) throws(Failure)
    {
        if replacing, unlink(path) != 0, errno != ENOENT {
            throw .unwritable
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw errno == EEXIST ? .exists : .unwritable
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else {
            unlink(path)
            throw .unwritable
        }
        var written = 0
        while written < contents.count {
            let result = contents[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                unlink(path)
                throw .unwritable
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            unlink(path)
            throw .unwritable
        }
    }

    /// Whether users other than the owner may read or write `path` (its mode has group or other bits).
    public static func isOpenToOthers(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        return status.st_mode & 0o077 != 0
    }
}
