import Foundation

/// How a child process ended.
public enum ExitOutcome: Equatable, CustomStringConvertible, Sendable {
    case exited(Int32)
    case signaled(Int32)
    /// Still running when the time limit ran out (it was then killed).
    case timedOut

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        case .timedOut: return "timed out"
        }
    }
}

/// A child process started with `posix_spawn`, so the test knows its pid (to SIGKILL it at a
/// moment of its choosing) and can wait for it with a time limit. Standard input comes from a
/// file, standard output and error go to files: no pipe can fill up and block the child.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private let lock = NSLock()
    private var ended: ExitOutcome?

    private init(pid: pid_t, stdoutPath: String, stderrPath: String) {
        self.pid = pid
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Starts `argv` (argv[0] an absolute path) with the current environment plus `environment`.
    public static func start(
        _ argv: [String], stdinPath: String?, stdoutPath: String, stderrPath: String,
        environment: [String: String] = [:], appendOutput: Bool = false
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let outFlags = O_WRONLY | O_CREAT | (appendOutput ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, outFlags, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, outFlags, 0o600)

        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw TestSupportError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        return SpawnedProcess(pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Runs `procure ARGUMENTS` with stdin from a file; output to fresh temporary files.
    public static func procure(_ arguments: [String], stdinPath: String?, environment: [String: String] = [:]) throws -> SpawnedProcess {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("procure-rel-\(getpid())-\(UUID().uuidString)").path
        return try start([try ProcureBinary.path()] + arguments, stdinPath: stdinPath,
                         stdoutPath: base + ".out", stderrPath: base + ".err", environment: environment)
    }

    /// Waits until the process ends or `timeout` seconds pass; in the latter case it is
    /// SIGKILLed, reaped, and `.timedOut` is returned.
    @discardableResult
    public func wait(timeout: TimeInterval) -> ExitOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let outcome = poll() { return outcome }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = reap(blocking: true)
                return .timedOut
            }
            usleep(5_000)
        }
    }

    /// The outcome when the process has ended, nil while it runs (non-blocking).
    public func poll() -> ExitOutcome? {
        lock.lock()
        defer { lock.unlock() }
        if let ended { return ended }
        return reapLocked(blocking: false)
    }

    /// Waits, without a time limit, until the process ends.
    public func waitForExit() -> ExitOutcome {
        reap(blocking: true) ?? .exited(-1)
    }

    private func reap(blocking: Bool) -> ExitOutcome? {
        lock.lock()
        defer { lock.unlock() }
        if let ended { return ended }
        return reapLocked(blocking: blocking)
    }

    private func reapLocked(blocking: Bool) -> ExitOutcome? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == 0 { return nil }
            if result < 0 {
                if errno == EINTR { continue }
                ended = .exited(-1)
                return ended
            }
            break
        }
        // WIFEXITED / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        ended = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return ended
    }

    /// Sends SIGKILL and reaps the process. Returns its outcome (`.signaled(9)` when the kill
    /// landed while it was running).
    public func killNow() -> ExitOutcome {
        if let outcome = poll() { return outcome }
        kill(pid, SIGKILL)
        return reap(blocking: true) ?? .exited(-1)
    }

    public var stdoutData: Data { (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data() }
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public func removeFiles() {
        unlink(stdoutPath)
        unlink(stderrPath)
    }
}

