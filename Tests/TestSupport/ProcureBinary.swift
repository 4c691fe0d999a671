import Foundation
import ProcessSupport

/// Runs the `procure` executable built alongside the tests.
public enum ProcureBinary {
    /// Runs `procure ARGUMENTS` with `stdin` as its standard input (none: /dev/null) and the
    /// current environment plus `environment`, and waits for it to exit.
    ///
    /// Output goes to temporary files rather than pipes, so a server that `procure db start`
    /// leaves running can never keep the call waiting, and large output never deadlocks.
    public static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> (stdout: String, stderr: String, status: Int32) {
        let inputPath = try stdin.map { try TemporaryFolder.file($0, prefix: "procure-test", suffix: ".in") }
        defer { inputPath.map { _ = unlink($0) } }
        let finished = try SpawnedProcess.run(
            [try path()] + arguments, input: inputPath.map { .file($0) } ?? .null, environment: environment)
        return (finished.stdout, finished.stderr, finished.status)
    }

    /// The `procure` executable: `$PROCURE_BINARY`, else the one in the build products folder
    /// that holds this test bundle.
    public static func path() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["PROCURE_BINARY"], !explicit.isEmpty {
            return explicit
        }
        var starts = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for start in starts {
            // The .xctest bundle (a folder on macOS, a file on Linux) sits in the products folder.
            var folder = start.standardizedFileURL
            for _ in 0..<3 {
                let candidate = folder.appendingPathComponent("procure").path
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                folder.deleteLastPathComponent()
            }
        }
        throw TestSupportError("the procure executable was not found next to the test bundle \(Bundle.main.bundleURL.path); build it first or set PROCURE_BINARY")
    }
}

extension ProcureBinary {
    /// Starts `procure ARGUMENTS` on a pseudo-terminal of its own (stdin, stdout and stderr), as a
    /// user at a terminal would run it; type into it and read what it shows with the terminal.
    public static func startOnTerminal(
        _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (process: SpawnedProcess, terminal: PseudoTerminal) {
        let terminal = try PseudoTerminal()
        var environment = environment
        if environment["TERM"] == nil { environment["TERM"] = "xterm" }
        let process = try SpawnedProcess(
            [try path()] + arguments, input: .terminal(terminal.devicePath),
            output: .file(terminal.devicePath), error: .file(terminal.devicePath), environment: environment)
        return (process, terminal)
    }
}
