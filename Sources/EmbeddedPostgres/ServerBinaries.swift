import Foundation

/// Where `initdb`, `pg_ctl` and `postgres` live.
public struct ServerBinaries: Sendable {
    public let directory: URL

    public func path(_ tool: String) -> String {
        directory.appendingPathComponent(tool).path
    }

    /// Looks in `$PROCURE_PG_BIN`, then `PATH`, then Debian's `/usr/lib/postgresql/N/bin`
    /// (highest N first).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerBinaries {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let explicit = environment["PROCURE_PG_BIN"] { candidates.append(explicit) }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "\(debianRoot)/\($0)/bin" }
        for directory in candidates where fileManager.isExecutableFile(atPath: "\(directory)/initdb")
            && fileManager.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return ServerBinaries(directory: URL(fileURLWithPath: directory))
        }
        throw ClusterError.binariesMissing
    }
}

public enum ClusterError: Error, CustomStringConvertible, Sendable {
    case binariesMissing
    case commandFailed(command: String, status: Int32, output: String)
    case noPostgresUser
    case socketPathTooLong(String)
    case notInitialized(String)

    public var description: String {
        switch self {
        case .binariesMissing:
            return "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them with "
                + "`apt-get install postgresql` (Debian/Ubuntu), or set PROCURE_PG_BIN to their folder."
        case let .commandFailed(command, status, output):
            return "\(command) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .noPostgresUser:
            return "running as root, but there is no `postgres` system user to run the server "
                + "(PostgreSQL refuses to run as root). Install Debian's `postgresql` package or create the user."
        case let .socketPathTooLong(path):
            return "the socket folder \(path) is too long for a Unix socket (limit 100 bytes); choose a shorter PROCURE_HOME"
        case let .notInitialized(path):
            return "no cluster at \(path) yet; `procure db start` creates it"
        }
    }
}
