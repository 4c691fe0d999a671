import Foundation
import ProcessSupport

/// Runs a server tool, as the `postgres` system user when we are root (PostgreSQL refuses to
/// run as root).
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
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let finished: SpawnedProcess.Finished
        do {
            finished = try SpawnedProcess.run([executable] + arguments, user: runAsUser, mergeErrors: true)
        } catch let error as ProcessSupportError {
            throw ClusterError.commandFailed(command: name, status: -1, output: error.description)
        }
        if finished.status != 0 && !allowFailure {
            throw ClusterError.commandFailed(command: name, status: finished.status, output: finished.stdout)
        }
        return (finished.status, finished.stdout)
    }
}
