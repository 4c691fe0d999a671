import Foundation
// The tests use the spawner, the seeded generator and the temporary folders through
// TestSupport, so that every test file needs this one import.
@_exported import ProcessSupport

extension SpawnedProcess {
    /// Starts `procure ARGUMENTS` with stdin from a file; output to fresh temporary files.
    public static func procure(_ arguments: [String], stdinPath: String?, environment: [String: String] = [:]) throws -> SpawnedProcess {
        let base = TemporaryFolder.newPath(prefix: "procure-rel")
        return try SpawnedProcess([try ProcureBinary.path()] + arguments, input: stdinPath.map { .file($0) } ?? .null,
                                  output: .file(base + ".out"), error: .file(base + ".err"), environment: environment)
    }
}
