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
        let executable = try path()
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        return try ChildProcess.run([executable] + arguments, stdin: stdin, environment: merged)
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

/// `posix_spawn` + `waitpid` with standard input and output in temporary files.
enum ChildProcess {
    static func run(_ argv: [String], stdin: String?, environment: [String: String]) throws -> (stdout: String, stderr: String, status: Int32) {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("procure-test-\(getpid())-\(UUID().uuidString)").path
        let inputPath = base + ".in", outputPath = base + ".out", errorPath = base + ".err"
        defer { for path in [inputPath, outputPath, errorPath] { unlink(path) } }
        if let stdin {
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: inputPath))
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw TestSupportError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TestSupportError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        let output = (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data()
        let errors = (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data()
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import: a signal gives 128 + its number.
        let signal = status & 0x7f
        let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return (String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self), exitStatus)
    }
}
