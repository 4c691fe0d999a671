import Foundation

/// A child process of the benchmark: `procure`, `psql` or `pgbench`, spawned with
/// `posix_spawn` and reaped with `wait4`, so its wall time and peak memory (ru_maxrss) are
/// exact and no Foundation machinery sits between the measurement and the process.
final class BenchChild {
    enum Input {
        case null
        case file(String)
        /// A pipe: the parent writes lines with `write(_:)` and closes with `closeInput()`.
        case pipe
    }

    enum Output {
        case null
        case file(String)
    }

    struct Exit {
        let status: Int32
        /// Peak resident set size in KiB (`ru_maxrss` of the reaped child).
        let maxRSSKiB: Int
        let seconds: Double
        /// User + system CPU time of the child.
        var cpuSeconds: Double = 0
    }

    let pid: pid_t
    let started: Double
    private var inputFD: Int32 = -1
    private(set) var exit: Exit?

    init(_ argv: [String], input: Input = .null, output: Output = .null, error: Output = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeFDs: [Int32] = [-1, -1]
        switch input {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .pipe:
            guard pipe(&pipeFDs) == 0 else { throw BenchError("pipe: \(String(cString: strerror(errno)))") }
            // The parent's write end must not leak into this or any later child.
            _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        }
        for (fd, target) in [(Int32(1), output), (Int32(2), error)] {
            switch target {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        }
        var child: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        started = BenchClock.now()
        let result = posix_spawn(&child, argv[0], &actions, nil, cArgs, environ)
        if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
        guard result == 0 else {
            if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
            throw BenchError("cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        pid = child
        inputFD = pipeFDs[1]
    }

    deinit {
        if inputFD >= 0 { close(inputFD) }
        if exit == nil {
            kill(pid, SIGKILL)
            _ = wait(block: true)
        }
    }

    /// Writes all of `bytes` to the child's stdin pipe; false when the child closed it.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        guard inputFD >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Foundation.write(inputFD, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    func closeInput() {
        if inputFD >= 0 { close(inputFD) }
        inputFD = -1
    }

    /// Reaps the child; with `block: false` returns nil while it still runs.
    @discardableResult
    func wait(block: Bool = true) -> Exit? {
        if let exit { return exit }
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let reaped = wait4(pid, &status, block ? 0 : WNOHANG, &usage)
            if reaped == pid { break }
            if reaped == 0 { return nil }
            if reaped < 0 && errno == EINTR { continue }
            // Already reaped elsewhere or gone: report what we know.
            let gone = Exit(status: -1, maxRSSKiB: 0, seconds: BenchClock.now() - started)
            exit = gone
            return gone
        }
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let done = Exit(status: code, maxRSSKiB: Int(usage.ru_maxrss), seconds: BenchClock.now() - started, cpuSeconds: cpu)
        exit = done
        return done
    }

    func terminate() {
        if exit == nil { kill(pid, SIGTERM) }
    }

    /// The child's current resident set (VmRSS) in KiB, from /proc, while it runs.
    func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// Runs a command to its end and returns its exit; stdout and stderr go to files when given.
    static func run(_ argv: [String], input: Input = .null, output: Output = .null, error: Output = .null) throws -> Exit {
        let child = try BenchChild(argv, input: input, output: output, error: error)
        return child.wait()!
    }
}

enum BenchClock {
    /// Monotonic seconds.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Medians and friends over repeated samples.
enum BenchStats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func format(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(decimals)f", value)
    }
}
