import Foundation

/// Runs a server tool, as the `postgres` system user when we are root.
///
/// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`: `pg_ctl start` leaves
/// a daemon behind that inherits Process's internal descriptors, and `waitUntilExit` then
/// waits for the server's end instead of pg_ctl's.
struct ProcessRunner {
    let runAsUser: String?

    static func forCurrentUser() throws -> ProcessRunner {
        guard geteuid() == 0 else { return ProcessRunner(runAsUser: nil) }
        guard getpwnam("postgres") != nil else { throw ClusterError.noPostgresUser }
        return ProcessRunner(runAsUser: "postgres")
    }

    /// Runs the tool and returns its combined output; throws on a non-zero exit.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], allowFailure: Bool = false) throws -> (status: Int32, output: String) {
        var argv = [executable] + arguments
        if let user = runAsUser {
            argv = ["/usr/sbin/runuser", "-u", user, "--"] + argv
        }
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("procure-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out").path
        defer { unlink(outputPath) }
        let status = try spawnAndWait(argv, outputPath: outputPath)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        if status != 0 && !allowFailure {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw ClusterError.commandFailed(command: name, status: status, output: output)
        }
        return (status, output)
    }

    private func spawnAndWait(_ argv: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The file is created by root; runuser's child writes through the inherited descriptor.
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard result == 0 else {
            throw ClusterError.commandFailed(command: argv[0], status: result, output: String(cString: strerror(result)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw ClusterError.commandFailed(command: argv[0], status: errno, output: "waitpid failed") }
        }
        // WIFEXITED / WEXITSTATUS are macros; decode the wait status by hand.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
