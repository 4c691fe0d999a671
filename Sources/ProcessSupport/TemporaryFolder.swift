import Foundation

/// Fresh temporary folders and files.
public enum TemporaryFolder {
    /// Creates `/tmp/PREFIXxxxxxx` (mode 0700, `mkdtemp`) and returns it. The name stays short
    /// so that a cluster's Unix socket path inside it stays well under the 100-byte limit.
    public static func make(prefix: String = "pt-") throws -> URL {
        var template = Array("/tmp/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard made != nil else {
            throw ProcessSupportError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A path no file has yet, in the system's temporary folder: `PREFIX-PID-UUID SUFFIX`.
    public static func newPath(prefix: String = "procure", suffix: String = "") -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString)\(suffix)").path
    }

    /// Writes `contents` to a fresh temporary file and returns its path.
    public static func file(_ contents: Data, prefix: String = "procure", suffix: String = ".txt") throws -> String {
        let path = newPath(prefix: prefix, suffix: suffix)
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    public static func file(_ text: String, prefix: String = "procure", suffix: String = ".txt") throws -> String {
        try file(Data(text.utf8), prefix: prefix, suffix: suffix)
    }
}
