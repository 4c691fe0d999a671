import Foundation

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
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("procure-test-\(getpid())-\(UUID().uuidString)").path
        let inputPath = base + ".in"
        defer { unlink(inputPath) }
        if let stdin {
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: inputPath))
        }
        let process = try SpawnedProcess.start(
            [try path()] + arguments, stdinPath: stdin == nil ? nil : inputPath,
            stdoutPath: base + ".out", stderrPath: base + ".err", environment: environment)
        defer { process.removeFiles() }
        let status: Int32
        switch process.waitForExit() {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal   // as a shell reports it
        case .timedOut: status = -1
        }
        return (process.stdout, process.stderr, status)
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
