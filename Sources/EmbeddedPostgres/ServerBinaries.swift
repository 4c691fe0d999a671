import Foundation

/// Where `initdb`, `pg_ctl` and `postgres` live.
public struct ServerBinaries: Sendable {
    public let directory: URL

    public func path(_ tool: String) -> String {
        directory.appendingPathComponent(tool).path
    }

    /// A client tool (psql, pgbench): beside the server binaries, else in Debian's
    /// `/usr/lib/postgresql/N/bin` (highest N first), else on `PATH` — the real binaries
    /// before Debian's `/usr/bin` wrappers. nil when none is found.
    public func clientTool(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let folders = [directory.path] + Self.debianFolders() + Self.pathFolders(environment)
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Looks in `$PROCURE_PG_BIN`, then `PATH`, then Debian's `/usr/lib/postgresql/N/bin`
    /// (highest N first).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerBinaries {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let explicit = environment["PROCURE_PG_BIN"] { candidates.append(explicit) }
        candidates += pathFolders(environment) + debianFolders()
        for directory in candidates where fileManager.isExecutableFile(atPath: "\(directory)/initdb")
            && fileManager.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return ServerBinaries(directory: URL(fileURLWithPath: directory))
        }
        throw ClusterError.binariesMissing
    }

    /// Debian's `/usr/lib/postgresql/N/bin` folders, highest N first.
    static func debianFolders() -> [String] {
        let root = "/usr/lib/postgresql"
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >).map { "\(root)/\($0)/bin" }
    }

    static func pathFolders(_ environment: [String: String]) -> [String] {
        (environment["PATH"] ?? "").split(separator: ":").map(String.init)
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
