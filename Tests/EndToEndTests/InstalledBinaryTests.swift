import EmbeddedPostgres
import Foundation
import TestSupport
import XCTest

/// The binary as the README installs it: copied alone, it runs without the checkout.
final class InstalledBinaryTests: XCTestCase {
    private static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary copied alone into an empty folder, run from another empty folder with a
    /// clean environment (no PROCURE_SQL_DIR, DATABASE_URL or PG* variables) and a fresh
    /// PROCURE_HOME: it creates its cluster, migrates it and runs the worked example.
    func testACopiedBinaryRunsTheWorkedExampleOnAFreshHome() throws {
        let install = try TemporaryFolder.make(prefix: "bin-")
        let work = try TemporaryFolder.make(prefix: "cwd-")
        let home = try TemporaryFolder.make(prefix: "ph-")
        defer {
            try? EmbeddedCluster(home: home).stop()
            for folder in [install, work, home] { try? FileManager.default.removeItem(at: folder) }
        }
        let binary = install.appendingPathComponent("procure")
        try FileManager.default.copyItem(atPath: try ProcureBinary.path(), toPath: binary.path)
        try FileManager.default.copyItem(
            at: Self.checkout.appendingPathComponent("examples/worked-example.txt"),
            to: work.appendingPathComponent("worked-example.txt"))

        // `env -i` starts from an empty environment; `-C` sets the working folder.
        var environment = ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
                           "HOME=\(work.path)", "PROCURE_HOME=\(home.path)"]
        if let bin = ProcessInfo.processInfo.environment["PROCURE_PG_BIN"] { environment.append("PROCURE_PG_BIN=\(bin)") }
        let argv: [String] = ["/usr/bin/env", "-i", "-C", work.path] + environment + [binary.path, "run", "worked-example.txt"]
        let run = try SpawnedProcess(argv, output: .file(work.appendingPathComponent("out.txt").path),
                                     error: .file(work.appendingPathComponent("err.txt").path))
        let outcome: ExitOutcome = run.wait(timeout: 180)
        XCTAssertEqual(outcome, .exited(0), "stdout:\n\(run.stdout)\nstderr:\n\(run.stderr)")
        XCTAssertTrue(run.stdout.contains("125.00"), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.appendingPathComponent("data/PG_VERSION").path))
        // The document templates travel inside the binary too: it writes the revocation notice.
        let notice = try SpawnedProcess(
            ["/usr/bin/env", "-i", "-C", work.path] + environment
                + [binary.path, "notice", "PO-1", "--lang", "zh", "--html", "notice.html"],
            output: .file(work.appendingPathComponent("notice.out").path),
            error: .file(work.appendingPathComponent("notice.err").path))
        XCTAssertEqual(notice.wait(timeout: 60), .exited(0), "stdout:\n\(notice.stdout)\nstderr:\n\(notice.stderr)")
        let page = try String(contentsOf: work.appendingPathComponent("notice.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("采购订单撤销说明") && page.contains("PO-1-R1") && page.contains("数量错误"), page)
        // Nothing was read from, or written to, the folder the binary sits in.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: install.path), ["procure"])
    }
}
