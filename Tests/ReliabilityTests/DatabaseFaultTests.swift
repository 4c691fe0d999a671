import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import XCTest

/// SPEC §6 `database_unavailable`: the server stopped in the middle of a batch. The lines it
/// hits answer `database_unavailable` (no crash, no other code), no order is left half
/// written, and after a restart the same batch with the same keys completes, each write once.
/// A cluster of this test's own, since it is stopped.
final class DatabaseFaultTests: XCTestCase {
    var cluster: EmbeddedCluster!
    var conninfo = ""
    var buyer = ""
    var finance = ""

    override func setUpWithError() throws {
        let home = try TemporaryFolder.make(prefix: "prf.")
        // synchronous_commit stays on: a commit is acknowledged only once its WAL reached the
        // kernel, so an immediate stop (a crash of the server, not of the machine) loses no
        // acknowledged commit; fsync may stay off for speed.
        cluster = EmbeddedCluster(home: home, settings: ["fsync": "off", "full_page_writes": "off"])
        try cluster.start()
        conninfo = cluster.conninfo()
        let migrate = try ProcureBinary.run(["--db", conninfo, "db", "migrate"])
        XCTAssertEqual(migrate.status, 0, migrate.stdout + migrate.stderr)
        let suffix = TestCluster.uniqueSuffix()
        buyer = "dfb_\(suffix)"
        finance = "dff_\(suffix)"
        let setup = try ProcureBinary.run(["--db", conninfo, "--format", "json"], stdin: [
            "supplier add S1 --name Acme",
            "item add A --name Bolt", "item add B --name Nut", "item add C --name Washer",
            "price set S1 A 10 --from 2026-01-01", "price set S1 B 25 --from 2026-01-01", "price set S1 C 1.5 --from 2026-01-01",
            "user add \(buyer) --role buyer", "user add \(finance) --role finance",
        ].joined(separator: "\n") + "\n")
        XCTAssertEqual(setup.status, 0, setup.stdout + setup.stderr)
    }

    override func tearDownWithError() throws {
        guard let cluster else { return }
        try? cluster.stop()
        try? FileManager.default.removeItem(at: cluster.home)
    }

    /// `pg_ctl stop -m immediate`: the server dies without a checkpoint, as in a crash (run as
    /// `postgres` when we are root, as the cluster's server runs).
    func stopImmediately() throws {
        let pgctl = try ServerBinaries.locate().path("pg_ctl")
        let arguments = ["stop", "-m", "immediate", "-w", "-D", cluster.dataDirectory.path]
        let stop = try SpawnedProcess([pgctl] + arguments, user: getuid() == 0 ? "postgres" : nil)
        XCTAssertEqual(stop.wait(timeout: 60), .exited(0), "pg_ctl stop -m immediate")
    }

    /// 150 orders of three lines each, issued, paid, one production report: 600 keyed lines.
    func faultBatch(_ prefix: String) -> [String] {
        var lines: [String] = []
        for i in 1...150 {
            let n = "\(prefix)-\(i)"
            lines += [
                "po create S1 --number \(n) --date 2026-03-01 A:1 B:2 C:3 --key \(prefix)c\(i) --as \(buyer)",
                "po issue \(n) --key \(prefix)i\(i) --as \(buyer)",
                "po pay \(n) 10.50 --key \(prefix)p\(i) --as \(finance)",
                "production \(n) 2 --finished 1 --key \(prefix)d\(i) --as \(buyer)",
            ]
        }
        return lines
    }

    /// Runs `lines`, stops the server with `stop` once `stopAfter` lines are answered, and
    /// checks what the batch said and what the database holds once restarted.
    func runThroughAStop(prefix: String, stopAfter: Int, stop: () throws -> Void) throws -> (unavailable: Int, answeredOK: Int) {
        let lines = faultBatch(prefix)
        let path = try TemporaryFolder.file(lines.joined(separator: "\n") + "\n")
        defer { unlink(path) }
        let process = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: path)
        defer { process.removeFiles() }
        let reader = FileHandle(forReadingAtPath: process.stdoutPath)
        defer { try? reader?.close() }
        var answered = 0
        let deadline = Date().addingTimeInterval(120)
        while answered < stopAfter && process.poll() == nil && Date() < deadline {
            if let chunk = reader?.readDataToEndOfFile() { answered += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
            usleep(2_000)
        }
        XCTAssertNil(process.poll(), "the batch ended before the server was stopped")
        try stop()
        let outcome = process.wait(timeout: 180)
        XCTAssertEqual(outcome, .exited(1), "procure must end normally with 1 (some lines failed): \(outcome) \(process.stderr.prefix(1000))")

        let objects = parseJSONLines(process.stdout)
        XCTAssertEqual(objects.compactMap(\.lineNumber), Array(1...lines.count), "one answer per line")
        let firstFailure = objects.firstIndex { !$0.succeeded } ?? objects.count
        XCTAssertGreaterThanOrEqual(firstFailure, stopAfter - 1)
        let after = objects[firstFailure...]
        let unavailable = after.filter { $0.errorCode == "database_unavailable" }.count
        XCTAssertEqual(unavailable, after.count, "after the stop every line is database_unavailable: \(after.filter { $0.errorCode != "database_unavailable" }.prefix(3).map(\.serialized))")
        XCTAssertGreaterThan(unavailable, 0)

        // Restart (crash recovery after an immediate stop) and look: never a partial write.
        try cluster.start()
        let connection = try Connection(conninfo)
        let perOrder = try connection.query("""
            SELECT o.number, (SELECT count(*) FROM procure.order_lines l WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id) AS lines,
                   (SELECT count(*) FROM procure.payments p WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id) AS payments,
                   (SELECT count(*) FROM procure.production_reports r WHERE r.supplier_id = o.supplier_id AND r.order_id = o.id) AS reports
              FROM procure.orders o WHERE o.number LIKE $1
            """, ["\(prefix)-%"])
        var existing = Set<String>()
        for row in perOrder.rows {
            existing.insert(row["number"]!)
            XCTAssertEqual(row["lines"], "3", "order \(row["number"]!) has \(row["lines"]!) of its 3 lines")
            XCTAssertLessThanOrEqual(Int(row["payments"]!)!, 1, "order \(row["number"]!) paid twice")
            XCTAssertLessThanOrEqual(Int(row["reports"]!)!, 1, "order \(row["number"]!) reported twice")
        }
        var answeredOK = 0
        var createdWithoutAnswer = 0
        for (index, object) in objects.enumerated() where lines[index].hasPrefix("po create") {
            let number = "\(prefix)-\(index / 4 + 1)"
            if object.succeeded {
                answeredOK += 1
                XCTAssertTrue(existing.contains(number), "\(number) was answered ok but is missing")
            } else if existing.contains(number) {
                createdWithoutAnswer += 1   // committed just before the server went away
            }
        }
        XCTAssertLessThanOrEqual(createdWithoutAnswer, 1, "only the line in flight may have committed unanswered")
        let verify = try ProcureBinary.run(["--db", conninfo, "--format", "json", "audit", "verify"])
        XCTAssertTrue(verify.stdout.contains("\"ok\":true"), verify.stdout)

        // The same batch, same keys, after the restart: it completes, each write once.
        let rerun = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: path)
        defer { rerun.removeFiles() }
        XCTAssertEqual(rerun.wait(timeout: 180), .exited(0), rerun.stderr.prefix(1000).description)
        let rerunFailures = parseJSONLines(rerun.stdout).filter { !$0.succeeded }
        XCTAssertTrue(rerunFailures.isEmpty, "\(rerunFailures.prefix(3).map(\.serialized))")
        let totals = try connection.query("""
            SELECT count(*) AS orders, count(*) FILTER (WHERE o.status = 'in_production') AS producing,
                   (SELECT count(*) FROM procure.order_lines l JOIN procure.orders x ON x.supplier_id = l.supplier_id AND x.id = l.order_id WHERE x.number LIKE $1) AS lines,
                   (SELECT count(*) FROM procure.payments l JOIN procure.orders x ON x.supplier_id = l.supplier_id AND x.id = l.order_id WHERE x.number LIKE $1) AS payments,
                   (SELECT sum(l.amount) FROM procure.payments l JOIN procure.orders x ON x.supplier_id = l.supplier_id AND x.id = l.order_id WHERE x.number LIKE $1) AS paid,
                   (SELECT count(*) FROM procure.production_reports l JOIN procure.orders x ON x.supplier_id = l.supplier_id AND x.id = l.order_id WHERE x.number LIKE $1) AS reports
              FROM procure.orders o WHERE o.number LIKE $1
            """, ["\(prefix)-%"]).first
        XCTAssertEqual(totals?["orders"], "150")
        XCTAssertEqual(totals?["producing"], "150")
        XCTAssertEqual(totals?["lines"], "450")
        XCTAssertEqual(totals?["payments"], "150")
        XCTAssertEqual(totals?["paid"], "1575.00")
        XCTAssertEqual(totals?["reports"], "150")
        return (unavailable, answeredOK)
    }

    func testTheServerStoppedMidBatchGivesDatabaseUnavailableAndTheReRunCompletes() throws {
        let immediate = try runThroughAStop(prefix: "FI", stopAfter: Int.random(in: 60...300)) { try stopImmediately() }
        let fast = try runThroughAStop(prefix: "FF", stopAfter: Int.random(in: 60...300)) { try cluster.stop() }
        Figures.record("faults.server_stops", 2)
        Figures.record("faults.lines_answered_database_unavailable", immediate.unavailable + fast.unavailable)
        Figures.record("faults.lines_answered_ok_before_the_stops", immediate.answeredOK + fast.answeredOK)
        Figures.record("faults.partial_orders_found", 0)
    }

    /// Deterministic: a batch reads its lines from a FIFO; line 1 opens the connection, the
    /// server dies while the connection is idle, then line 2 arrives. libpq then reports
    /// "server closed the connection unexpectedly" without a SQLSTATE while PQstatus may still
    /// say OK: that is `database_unavailable` too (it was `internal_error` before 6cc68cb).
    func testALineAfterTheServerDiedWhileIdleAnswersDatabaseUnavailable() throws {
        let fifo = TemporaryFolder.newPath(prefix: "procure-rel-fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        defer { unlink(fifo) }
        // Our end first, read-write and close-on-exec, so it waits for no reader and the child
        // does not inherit it: posix_spawn's child opens the FIFO before exec while the parent
        // waits, so a blocking open here would hang both.
        let descriptor = open(fifo, O_RDWR | O_CLOEXEC)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        let writer = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let process = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: fifo)
        defer { process.removeFiles() }
        writer.write(Data("po list --as \(buyer)\n".utf8))
        let deadline = Date().addingTimeInterval(30)
        while !process.stdout.contains("\n") && Date() < deadline { usleep(10_000) }
        try stopImmediately()
        writer.write(Data("po list --as \(buyer)\npo list --as \(buyer)\n".utf8))
        try writer.close()
        XCTAssertEqual(process.wait(timeout: 60), .exited(1))
        let objects = parseJSONLines(process.stdout)
        XCTAssertEqual(objects.map(\.errorCode), [nil, "database_unavailable", "database_unavailable"], process.stdout)
    }

    /// A one-shot command against a server that is not there.
    func testNoServerAtAllIsDatabaseUnavailable() throws {
        try cluster.stop()
        let run = try ProcureBinary.run(["--db", conninfo, "--format", "json", "po", "show", "X"])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("\"code\":\"database_unavailable\""), run.stdout)
        let batch = try ProcureBinary.run(["--db", conninfo, "--format", "json"], stdin: "po show X\npo show Y\n")
        XCTAssertEqual(parseJSONLines(batch.stdout).map(\.errorCode), ["database_unavailable", "database_unavailable"], batch.stdout)
        XCTAssertEqual(batch.status, 1)
    }
}
