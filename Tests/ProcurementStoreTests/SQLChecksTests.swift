import EmbeddedPostgres
import Foundation
import TestSupport
import XCTest

/// sql/tests/checks.sql — the rules of the schema asserted in plain SQL, as each role — run by
/// psql against a freshly migrated database: every check must print PASS, none FAIL.
final class SQLChecksTests: XCTestCase {
    func testEveryCheckOfSqlTestsPasses() throws {
        let conninfo = try TestCluster.createMigratedDatabase("checks")
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql/tests/checks.sql")
        let output = try TemporaryFolder.make(prefix: "checks-").appendingPathComponent("out.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: try Self.psqlPath())
        psql.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", conninfo, "-f", script.path]
        psql.standardOutput = handle
        psql.standardError = handle
        try psql.run()
        psql.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let failures = lines.filter { $0.hasPrefix("FAIL") || $0.contains("ERROR:") }
        XCTAssertEqual(psql.terminationStatus, 0, text)
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
        XCTAssertGreaterThan(lines.filter { $0.hasPrefix("PASS") }.count, 70, text)
    }

    /// psql next to the server, else Debian's, else the PATH's (`/usr/bin/psql` on Debian is a
    /// wrapper that works too).
    static func psqlPath() throws -> String {
        let debian = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/psql" }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/psql" }
        let candidates = [try ServerBinaries.locate().path("psql")] + debian + path
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestSupportError("psql not found (looked next to the server, in /usr/lib/postgresql and on PATH)")
        }
        return found
    }
}
