import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import XCTest

/// A cluster of its own per test (not the shared test cluster), in a short temporary home.
final class EmbeddedClusterTests: XCTestCase {
    private var cluster: EmbeddedCluster!

    override func setUpWithError() throws {
        cluster = EmbeddedCluster(home: try TemporaryFolder.make(prefix: "ec-"), settings: ["fsync": "off"])
    }

    override func tearDownWithError() throws {
        guard let cluster else { return }
        try? cluster.stop()
        try FileManager.default.removeItem(at: cluster.home)
    }

    private func isRunning() throws -> Bool {
        if case .running(let pid) = try cluster.status() { return pid > 0 }
        return false
    }

    private func currentDatabase() throws -> String? {
        let connection = try Connection(cluster.conninfo())
        return try connection.query("SELECT current_database() AS name").first?["name"]
    }

    /// Server processes (postmasters) started on this cluster's data folder.
    private func postmasters() throws -> [Int] {
        let data = cluster.dataDirectory.path
        return try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int.init).filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.first?.hasSuffix("/postgres") == true && arguments.contains(data)
        }
    }

    func testLifecycle() throws {
        XCTAssertEqual(try cluster.status(), .notInitialized)

        try cluster.start()
        XCTAssertTrue(try isRunning())
        XCTAssertEqual(try currentDatabase(), "procure")
        XCTAssertTrue(cluster.socketDirectory.path.utf8.count < 100)

        try cluster.stop()
        XCTAssertEqual(try cluster.status(), .stopped)
        XCTAssertThrowsError(try Connection(cluster.conninfo()))

        try cluster.start()
        XCTAssertTrue(try isRunning())
        XCTAssertEqual(try currentDatabase(), "procure")
        // Starting a running cluster changes nothing.
        let before = try cluster.status()
        try cluster.start()
        XCTAssertEqual(try cluster.status(), before)
    }

    func testStartsDespiteAStalePidFile() throws {
        try cluster.start()
        try cluster.stop()
        // A crash leaves postmaster.pid behind; its PID may now belong to another process.
        let pidFile = cluster.dataDirectory.appendingPathComponent("postmaster.pid")
        try "1\n\(cluster.dataDirectory.path)\n1700000000\n5432\n\(cluster.socketDirectory.path)\n\n  5432001         0\nready   \n"
            .write(to: pidFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try cluster.status(), .stopped)

        try cluster.start()
        XCTAssertTrue(try isRunning())
        XCTAssertEqual(try currentDatabase(), "procure")
    }

    func testConcurrentStartsRunOneServer() throws {
        let cluster = try XCTUnwrap(cluster)
        let errors = runConcurrently(2) { _ in try cluster.start() }
        XCTAssertEqual(errors.compactMap { $0.map { "\($0)" } }, [])
        XCTAssertTrue(try isRunning())
        XCTAssertEqual(try postmasters().count, 1)
        guard case .running(let pid) = try cluster.status() else { return XCTFail("not running") }
        XCTAssertEqual(try postmasters(), [pid])
        XCTAssertEqual(try currentDatabase(), "procure")
    }
    /// The postmaster's PID from its pid file.
    private func postmasterPid() throws -> pid_t {
        let text = try String(contentsOf: cluster.dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        return try XCTUnwrap(text.split(separator: "\n").first.flatMap { pid_t($0) })
    }

    /// SPEC §3: a server left behind by a crash is recovered on the next command, not reported.
    /// `kill -9` of the postmaster leaves its pid file, the socket's lock file, a zombie until
    /// its parent reaps it and backends that exit moments later; the very next command (here
    /// the built binary on this home, as the embedded default) must answer, not fail on a lock
    /// file — three times in a row, each right after a kill.
    func testTheNextCommandAfterAKilledPostmasterSucceeds() throws {
        let environment = ["PROCURE_HOME": cluster.home.path]
        let first = try ProcureBinary.run(["--format", "json", "po", "list"], environment: environment)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        for round in 1...3 {
            let pid = try postmasterPid()
            XCTAssertEqual(kill(pid, SIGKILL), 0)
            let run = try ProcureBinary.run(["--format", "json", "po", "list"], environment: environment)
            XCTAssertEqual(run.status, 0, "round \(round): \(run.stdout) \(run.stderr)")
            XCTAssertTrue(run.stdout.contains("\"ok\":true"), "round \(round): \(run.stdout)")
            XCTAssertNotEqual(try postmasterPid(), pid, "round \(round): the old server still answers")
        }
        XCTAssertEqual(try postmasters().count, 1)
    }
    /// Everyday commands on the embedded default do not run as a superuser. A fresh
    /// home: the first command creates, starts and migrates the cluster as `postgres`, and then
    /// it and every later command connect as procure_cli, which the audit records as the actor.
    func testEverydayCommandsConnectAsTheEverydayRoleNotTheSuperuser() throws {
        let environment = ["PROCURE_HOME": cluster.home.path]
        let first = try ProcureBinary.run(["--format", "json", "supplier", "add", "S1", "--name", "Acme"], environment: environment)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let second = try ProcureBinary.run(["--format", "json", "item", "add", "A", "--name", "Bolt"], environment: environment)
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        let connection = try Connection(cluster.conninfo())
        let actors = try connection.query("SELECT string_agg(DISTINCT actor, ',') AS actors FROM procure.audit_log").first?["actors"]
        XCTAssertEqual(actors, EmbeddedCluster.everydayRole)
        let role = try connection.query("""
            SELECT rolsuper::text AS super, (SELECT nspowner = r.oid FROM pg_namespace WHERE nspname = 'procure')::text AS owner
              FROM pg_roles r WHERE rolname = $1
            """, [EmbeddedCluster.everydayRole]).first
        XCTAssertEqual(role?["super"], "false")
        XCTAssertEqual(role?["owner"], "false")
    }
}
