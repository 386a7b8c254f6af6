import ADECore
import Foundation

/// Reading the files a person names, and writing new ones with exact permissions.
enum FileAccess {
    /// Reads a whole file, refusing directories and files over `limit` bytes before reading them.
    /// - Throws: ``CommandError`` `file_not_found`, `file_unreadable` or `file_too_large`.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandError(.fileNotFound, path: path)
        }
        guard !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandError(.fileUnreadable, path: path)
        }
        defer { try? handle.close() }
        let tooLarge = CommandError(.fileTooLarge, path: path, parameters: ["limit": String(limit / 1024)])
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            throw tooLarge
        }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw CommandError(.fileUnreadable, path: path)
        }
        guard data.count <= limit else { throw tooLarge }
        return Array(data)
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Creates a file with exactly `mode`, from its first byte on: the file never exists with wider permissions.
    /// - Parameter replacing: Remove an existing file first; otherwise an existing file is an error.
    /// - Throws: ``CommandError`` `file_exists` or `file_unwritable`.
    static func writeNew(_ path: String, contents: [UInt8], mode: mode_t, replacing: Bool) throws {
        do {
            try SecureFile.create(path, contents: contents, mode: mode, replacing: replacing)
        } catch .exists {
            throw CommandError(.fileExists, path: path)
        } catch {
            throw CommandError(.fileUnwritable, path: path)
        }
    }

    /// Puts `staged` in place of `path` in one atomic `rename(2)`: `path` holds the old contents or the new, never
    /// neither.
    /// - Throws: ``CommandError`` `file_unwritable`.
    static func replace(_ path: String, with staged: String) throws {
        guard rename(staged, path) == 0 else {
            throw CommandError(.fileUnwritable, path: path)
        }
    }

    /// Creates a directory and its parents when missing.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CommandError(.fileUnwritable, path: path)
        }
    }
}
