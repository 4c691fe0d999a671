import Foundation

/// A child process started with `posix_spawn` and reaped with `wait4`.
///
/// Not Foundation's `Process`: a child that leaves a daemon behind (`pg_ctl start`) would hand
/// it Process's internal descriptors, and waiting would then last until the daemon's end. The
/// caller knows the pid (to kill the child at a moment of its choosing), can wait with a time
/// limit, and gets the child's exact wall time, CPU time and peak memory. Output goes to files
/// rather than pipes, so no full pipe can block a child.
public final class SpawnedProcess: @unchecked Sendable {
    public enum Input: Sendable {
        case null
        case file(String)
        /// A pipe: the parent writes with `write(_:)` and ends the input with `closeInput()`.
        case pipe
        /// A terminal device (a `PseudoTerminal`'s): the child runs in a session of its own with
        /// it as its controlling terminal, so that it sees a terminal and Ctrl-C reaches it.
        case terminal(String)
    }

    public enum Output: Sendable {
        case null
        case file(String, append: Bool = false)
        /// Standard error only: into whatever standard output goes to (`2>&1`).
        case standardOutput
    }

    /// How the child ended, with its resource usage.
    public struct Termination: Sendable {
        public let outcome: ExitOutcome
        /// Spawn to reaping, seconds.
        public let seconds: Double
        /// User + system CPU time of the child.
        public let cpuSeconds: Double
        /// Peak resident set size in KiB (`ru_maxrss`).
        public let maxResidentKiB: Int
    }

    /// What a child run to its end by `run` printed.
    public struct Finished: Sendable {
        public let termination: Termination
        public let stdout: String
        public let stderr: String
        public var outcome: ExitOutcome { termination.outcome }
        public var status: Int32 { termination.outcome.status }
    }

    public let pid: pid_t
    /// The argv that was spawned (with the `runuser` prefix when run as another user).
    public let argv: [String]
    /// Where standard output and error go (`/dev/null` when discarded).
    public let stdoutPath: String
    public let stderrPath: String
    private let started: Double
    private let lock = NSLock()
    // Guarded by `lock`.
    private var inputFD: Int32
    private var ended: Termination?

    /// Starts `argv` (argv[0] an absolute path) with the current environment plus `environment`.
    /// With `user`, the child runs as that system user through `runuser` (we must be root);
    /// files given for its output are opened by us before it starts, so it needs no right on them.
    public init(
        _ argv: [String], user: String? = nil, input: Input = .null, output: Output = .null,
        error: Output = .null, environment: [String: String] = [:]
    ) throws {
        guard let first = argv.first else { throw ProcessSupportError("nothing to run: an empty argv") }
        let argv = user.map { [SpawnedProcess.runuser, "-u", $0, "--"] + argv } ?? argv
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeFDs: [Int32] = [-1, -1]
        switch input {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .terminal(let path):
            // Opened after setsid (the attributes below), without O_NOCTTY: the session's
            // controlling terminal.
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDWR, 0)
        case .pipe:
            guard pipe(&pipeFDs) == 0 else { throw ProcessSupportError("pipe: \(String(cString: strerror(errno)))") }
            // The parent's write end must not leak into this or any later child, or the
            // child would never see the end of its input.
            _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        }
        var paths = ["/dev/null", "/dev/null"]
        for (fd, target) in [(Int32(1), output), (Int32(2), error)] {
            switch target {
            case .file(let path, let append):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o600)
                paths[Int(fd) - 1] = path
            case .standardOutput where fd == 2:
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
                paths[1] = paths[0]
            case .null, .standardOutput:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            }
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = []
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            merged.merge(environment) { _, new in new }
            cEnvironment = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { cEnvironment.forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if case .terminal = input {
            posix_spawnattr_setflags(&attributes, Int16(SpawnedProcess.newSession))
        }
        var child: pid_t = 0
        let begun = MonotonicClock.now()
        let spawned = cEnvironment.isEmpty
            ? posix_spawn(&child, argv[0], &actions, &attributes, cArguments, environ)
            : posix_spawn(&child, argv[0], &actions, &attributes, cArguments, cEnvironment)
        if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
        guard spawned == 0 else {
            if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
            throw ProcessSupportError("cannot run \(user == nil ? argv[0] : first): \(String(cString: strerror(spawned)))")
        }
        pid = child
        started = begun
        inputFD = pipeFDs[1]
        self.argv = argv
        stdoutPath = paths[0]
        stderrPath = paths[1]
    }

    /// A child is never left running behind a caller that gave it up (threw, say).
    deinit {
        if inputFD >= 0 { close(inputFD) }
        if ended == nil {
            kill(pid, SIGKILL)
            _ = reapLocked(blocking: true)
        }
    }

    /// Runs `argv` to its end, its standard output and error captured in temporary files that
    /// are read and removed; with `mergeErrors` both go to `stdout`, in the order written.
    public static func run(
        _ argv: [String], user: String? = nil, input: Input = .null, environment: [String: String] = [:],
        mergeErrors: Bool = false
    ) throws -> Finished {
        let base = TemporaryFolder.newPath(prefix: "procure-run")
        let outPath = base + ".out"
        let errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let child = try SpawnedProcess(argv, user: user, input: input, output: .file(outPath),
                                       error: mergeErrors ? .standardOutput : .file(errPath), environment: environment)
        let termination = child.waitForTermination()
        return Finished(termination: termination, stdout: child.stdout, stderr: mergeErrors ? "" : child.stderr)
    }

    /// POSIX_SPAWN_SETSID, which Swift does not import from glibc's headers.
    #if os(Linux)
    static let newSession: Int32 = 0x80
    #else
    static let newSession = Int32(POSIX_SPAWN_SETSID)
    #endif

    /// The `runuser` of this system (util-linux).
    static let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runuser"

    // MARK: - Waiting

    /// The outcome when the process has ended, nil while it runs (non-blocking).
    public func poll() -> ExitOutcome? {
        lock.lock()
        defer { lock.unlock() }
        return (ended ?? reapLocked(blocking: false))?.outcome
    }

    /// Waits until the process ends or `timeout` seconds pass; in the latter case it is
    /// SIGKILLed, reaped, and `.timedOut` is returned.
    @discardableResult
    public func wait(timeout: TimeInterval) -> ExitOutcome {
        let deadline = MonotonicClock.now() + timeout
        while true {
            if let outcome = poll() { return outcome }
            if MonotonicClock.now() >= deadline {
                kill(pid, SIGKILL)
                _ = waitForTermination()
                return .timedOut
            }
            usleep(5_000)
        }
    }

    /// Waits, without a time limit, until the process ends.
    @discardableResult
    public func waitForExit() -> ExitOutcome {
        waitForTermination().outcome
    }

    /// Waits, without a time limit, until the process ends; with its resource usage.
    @discardableResult
    public func waitForTermination() -> Termination {
        lock.lock()
        defer { lock.unlock() }
        return ended ?? reapLocked(blocking: true)!
    }

    /// How the process ended, once it has been reaped (by `poll` or a wait); nil before.
    public var termination: Termination? {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    private func reapLocked(blocking: Bool) -> Termination? {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let result = wait4(pid, &status, blocking ? 0 : WNOHANG, &usage)
            if result == pid { break }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // Reaped elsewhere or gone: report what is known.
            let gone = Termination(outcome: .exited(-1), seconds: MonotonicClock.now() - started, cpuSeconds: 0, maxResidentKiB: 0)
            ended = gone
            return gone
        }
        // WIFEXITED / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let done = Termination(
            outcome: signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal),
            seconds: MonotonicClock.now() - started, cpuSeconds: cpu, maxResidentKiB: Int(usage.ru_maxrss))
        ended = done
        return done
    }

    // MARK: - Signals

    /// Sends SIGKILL and reaps the process. Returns its outcome (`.signaled(9)` when the kill
    /// landed while it was running).
    public func killNow() -> ExitOutcome {
        if let outcome = poll() { return outcome }
        kill(pid, SIGKILL)
        return waitForExit()
    }

    /// Asks the process to end (SIGTERM); reap it with a wait.
    public func terminate() {
        if poll() == nil { kill(pid, SIGTERM) }
    }

    // MARK: - Input and output

    /// Writes all of `bytes` to the child's stdin pipe; false when the child closed it (or
    /// its input is not a pipe). The caller should ignore SIGPIPE.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        let fd = inputFD
        lock.unlock()
        guard fd >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Ends the child's input (its stdin pipe).
    public func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if inputFD >= 0 { close(inputFD) }
        inputFD = -1
    }

    /// The child's current resident set (VmRSS) in KiB, from /proc, while it runs.
    public func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    public var stdoutData: Data { (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data() }

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }

    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Deletes the files the output went to.
    public func removeFiles() {
        for path in Set([stdoutPath, stderrPath]) where path != "/dev/null" {
            unlink(path)
        }
    }
}
