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
        guard let psql = try ServerBinaries.locate().clientTool("psql") else {
            throw TestSupportError("psql not found (looked next to the server, in /usr/lib/postgresql and on PATH)")
        }
        let output = try TemporaryFolder.make(prefix: "checks-").appendingPathComponent("out.txt").path
        let run = try SpawnedProcess(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", conninfo, "-f", script.path],
            output: .file(output), error: .standardOutput)
        defer { run.removeFiles() }
        let outcome = run.waitForExit()
        let text = run.stdout
        let lines = text.split(separator: "\n")
        let failures = lines.filter { $0.hasPrefix("FAIL") || $0.contains("ERROR:") }
        XCTAssertEqual(outcome, .exited(0), text)
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
        XCTAssertGreaterThan(lines.filter { $0.hasPrefix("PASS") }.count, 70, text)
    }
}
