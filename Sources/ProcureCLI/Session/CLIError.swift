/// Errors of the CLI itself, before any database work.
enum CLIError: Error, CustomStringConvertible {
    /// Bad flags or arguments: exit code 2 in one-shot mode, `invalid_argument` on a batch line.
    case usage(String)

    var description: String {
        switch self {
        case .usage(let message): return message
        }
    }
}
