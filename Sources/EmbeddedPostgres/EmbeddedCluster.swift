import Foundation
import Postgres

/// A private PostgreSQL cluster in a folder: data in `home/data`, the Unix socket in
/// `home/run`, no TCP port. Used for procure's embedded default and for the test suite.
public struct EmbeddedCluster: Sendable {
    public enum Status: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int)
    }

    public let home: URL
    /// Extra `postgresql.conf` settings written at `initdb` time (tests turn fsync off).
    public let settings: [String: String]
    public let databaseName: String

    public init(home: URL, settings: [String: String] = [:], databaseName: String = "procure") {
        self.home = home.standardizedFileURL
        self.settings = settings
        self.databaseName = databaseName
    }

    /// `$PROCURE_HOME`, else `${XDG_DATA_HOME:-~/.local/share}/procure`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["PROCURE_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return URL(fileURLWithPath: dataHome).appendingPathComponent("procure")
    }

    public var dataDirectory: URL { home.appendingPathComponent("data") }
    public var socketDirectory: URL { home.appendingPathComponent("run") }
    public var logFile: URL { home.appendingPathComponent("server.log") }

    /// The role everyday commands connect as (created by procure's baseline migration): neither
    /// the schema's owner nor a superuser.
    public static let everydayRole = "procure_cli"

    /// The libpq connection string for a database of this cluster, as the superuser unless
    /// `user` names another role (trust, on the private socket).
    public func conninfo(database: String? = nil, user: String = "postgres") -> String {
        "host='\(socketDirectory.path)' dbname='\(database ?? databaseName)' user='\(user)' connect_timeout=10"
    }

    public func status() throws -> Status {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        let binaries = try ServerBinaries.locate()
        let runner = try ProcessRunner.forCurrentUser()
        let result = try runner.run(binaries.path("pg_ctl"), ["status", "-D", dataDirectory.path], allowFailure: true)
        guard result.status == 0 else { return .stopped }
        let pid = result.output.split(separator: "PID: ").dropFirst().first
            .map { String($0.prefix { $0.isNumber }) }.flatMap { Int($0) } ?? 0
        // pg_ctl takes a killed postmaster that is not reaped yet (a zombie) for a server
        if pid > 0 && !Self.isAlive(pid: pid) { return .stopped }
        return .running(pid: pid)
    }

    /// Creates the cluster if needed and starts it if it is not running. Safe to call from
    /// several processes at once.
    public func start() throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let lock = try FileLock(path: home.appendingPathComponent(".lock").path)
        defer { withExtendedLifetime(lock) {} }
        let binaries = try ServerBinaries.locate()
        let runner = try ProcessRunner.forCurrentUser()
        if try status() == .notInitialized {
            try initialise(binaries: binaries, runner: runner)
        }
        if case .running(let pid) = try status() {
            if isOurServer(pid: pid) { return }
            // The pid file names a process that is not this cluster's running server: one
            // killed and not yet reaped (a zombie), or a PID reused after a reboot.
        }
        try clearCrashedServer()
        try runner.run(binaries.path("pg_ctl"), [
            "start", "-w", "-t", "60", "-D", dataDirectory.path, "-l", logFile.path,
        ])
        try createDatabaseIfMissing()
    }

    public func stop() throws {
        guard case .running = try status() else { return }
        let lock = try FileLock(path: home.appendingPathComponent(".lock").path)
        defer { withExtendedLifetime(lock) {} }
        let binaries = try ServerBinaries.locate()
        try ProcessRunner.forCurrentUser().run(binaries.path("pg_ctl"), [
            "stop", "-w", "-m", "fast", "-D", dataDirectory.path,
        ])
    }

    private func initialise(binaries: ServerBinaries, runner: ProcessRunner) throws {
        guard socketDirectory.path.utf8.count < 100 else {
            throw ClusterError.socketPathTooLong(socketDirectory.path)
        }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        if let user = runner.runAsUser {
            try grantServerAccess(to: user)
        }
        chmod(dataDirectory.path, 0o700)
        chmod(socketDirectory.path, 0o700)
        // Trust on the Unix socket only: the socket folder is private (0700) to the server's
        // user (and root), and there is no TCP listener at all.
        try runner.run(binaries.path("initdb"), [
            "-D", dataDirectory.path, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync",
        ])
        var conf = "\n# procure embedded cluster\nlisten_addresses = ''\n"
        conf += "unix_socket_directories = '\(socketDirectory.path)'\n"
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            conf += "\(key) = \(value)\n"
        }
        let confFile = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: confFile)
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        try handle.close()
    }

    /// As root the server runs as `postgres`: it must own its folders and be able to reach
    /// them through every parent folder (traverse permission only, nothing is listed).
    private func grantServerAccess(to user: String) throws {
        guard let entry = getpwnam(user) else { throw ClusterError.noPostgresUser }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        for folder in [dataDirectory, socketDirectory] {
            chown(folder.path, uid, gid)
        }
        if FileManager.default.fileExists(atPath: logFile.path) == false {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        chown(logFile.path, uid, gid)
        var folder = home
        while folder.path != "/" {
            var info = stat()
            if stat(folder.path, &info) == 0, info.st_mode & 0o001 == 0 {
                chmod(folder.path, (info.st_mode & 0o7777) | 0o001)
            }
            folder.deleteLastPathComponent()
        }
    }

    /// Whether `pid` is a live postgres server of this data folder (its command line names
    /// it). A zombie is not: a postmaster killed with SIGKILL stays one until its parent (often
    /// init, which may take seconds) reaps it, and its command line is then empty.
    private func isOurServer(pid: Int) -> Bool {
        guard Self.isAlive(pid: pid) else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let arguments = String(decoding: data, as: UTF8.self).split(separator: "\0").map(String.init)
        return arguments.contains(dataDirectory.path)
    }

    /// A process that exists and is not a zombie.
    static func isAlive(pid: Int) -> Bool {
        guard pid > 0, kill(pid_t(pid), 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// Clears what a crashed server left behind, so that the next start succeeds at once.
    /// PostgreSQL refuses to start while `postmaster.pid` or the socket's lock file names a
    /// process that kill(2) still finds — a zombie postmaster included — and must not start
    /// while backends of the crashed server are still attached to its shared memory (they exit
    /// by themselves within moments of the postmaster's death). So: wait for those backends
    /// (at most 30 s), then remove both lock files. pg_ctl said no server runs, and we hold
    /// the cluster's lock.
    private func clearCrashedServer() throws {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // line 7: the shared memory key and id
        let shmid = lines.count > 6 ? lines[6].split(separator: " ").last.flatMap { Int($0) } : nil
        let deadline = Date().addingTimeInterval(30)
        while let shmid, Self.sharedMemoryAttachments(id: shmid) > 0 {
            guard Date() < deadline else {
                throw ClusterError.commandFailed(command: "start", status: -1, output:
                    "processes of a crashed server still use its shared memory (segment \(shmid)); stop them and retry")
            }
            usleep(50_000)
        }
        try? FileManager.default.removeItem(atPath: pidFile)
        let lockFiles = (try? FileManager.default.contentsOfDirectory(atPath: socketDirectory.path)) ?? []
        for name in lockFiles where name.hasPrefix(".s.PGSQL.") && name.hasSuffix(".lock") {
            let path = socketDirectory.appendingPathComponent(name).path
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?
                .split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if let owner, Self.isAlive(pid: owner) { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// How many processes are attached to System V shared memory segment `id` (0 once it is
    /// gone), from /proc/sysvipc/shm.
    static func sharedMemoryAttachments(id: Int) -> Int {
        guard let table = try? String(contentsOfFile: "/proc/sysvipc/shm", encoding: .utf8) else { return 0 }
        var header: [Substring] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if header.isEmpty { header = fields; continue }
            guard let shmidColumn = header.firstIndex(of: "shmid"), let nattchColumn = header.firstIndex(of: "nattch"),
                  fields.count > max(shmidColumn, nattchColumn), Int(fields[shmidColumn]) == id else { continue }
            return Int(fields[nattchColumn]) ?? 0
        }
        return 0
    }

    private func createDatabaseIfMissing() throws {
        let connection = try Connection(conninfo(database: "postgres"))
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName])
        if exists.rows.isEmpty {
            try connection.execute(script: "CREATE DATABASE \(quoteIdentifier(databaseName))")
        }
    }
}

/// Quotes an SQL identifier (for the few statements that cannot take parameters).
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
