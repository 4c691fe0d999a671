/// How a child process ended.
public enum ExitOutcome: Equatable, CustomStringConvertible, Sendable {
    case exited(Int32)
    case signaled(Int32)
    /// Still running when the time limit ran out (it was then killed).
    case timedOut

    /// The status a shell would report: the exit code, 128 + the signal, -1 for a time-out.
    public var status: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        case .timedOut: return -1
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        case .timedOut: return "timed out"
        }
    }
}
