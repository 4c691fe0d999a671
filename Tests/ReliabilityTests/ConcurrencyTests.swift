import Foundation
import Postgres
import TestSupport
import XCTest

/// Serialization failures and deadlocks (40001, 40P01) are retried: under 8 concurrent
/// clients no line reaches the user as an error, every keyed write happens once and the
/// figures are exact; only when retries run out does a line answer `conflict`, and then it
/// wrote nothing.
final class ConcurrencyTests: DatabaseTestCase {
    var buyer = ""
    var finance = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        let s = TestCluster.uniqueSuffix()
        buyer = "ccb_\(s)"
        finance = "ccf_\(s)"
        var lines = ["supplier add S1 --name Acme"]
        for sku in "ABCDEFGH" {
            lines.append("item add \(sku) --name Item\(sku)")
            lines.append("price set S1 \(sku) 100 --from 2026-01-01")
        }
        lines += ["user add \(buyer) --role buyer --max-discount 50", "user add \(finance) --role finance"]
        let eight = "ABCDEFGH".map { "\($0):1000" }.joined(separator: " ")
        for k in 1...4 {
            lines.append("po create S1 --number P-\(k) --date 2026-03-01 \(eight) --as \(buyer)")
            lines.append("po issue P-\(k) --as \(buyer)")
            lines.append("po create S1 --number Q-\(k) --date 2026-03-01 \(eight) --as \(buyer)")
            lines.append("po issue Q-\(k) --as \(buyer)")
        }
        try mustSucceed(lines)
    }

    func testEightClientsWithInjectedSerializationFailuresAndDeadlocksLoseNothing() throws {
        // One price edit, payment or production report in seven fails: 40001 or 40P01, alternately.
        try injectFaults([("n % 14 = 3", .serializationFailure), ("n % 14 = 10", .deadlockDetected)],
                         on: ["INSERT ON procure.payments", "INSERT ON procure.production_reports",
                              "UPDATE OF price ON procure.order_lines"])

        // Four batches; clients 0–3 run them, and clients 4–7 run the same four at the same
        // time (same keys, same users): two processes racing on every key.
        let rounds = 24
        func price(_ client: Int, _ round: Int) -> String { "\(99 - client).\(String(format: "%02d", round))" }
        func amount(_ client: Int, _ round: Int) -> String { "\(client + 1)\(String(format: "%02d", round)).\(String(format: "%02d", client * 7 + round))" }
        var files: [String] = []
        var expectedPaid: [Int: Decimal] = [:]
        var expectedPrice: [String: String] = [:]
        var expectedReports: [Int: Int] = [:]
        var expectedEdits = 0
        for client in 0..<4 {
            var lines: [String] = []
            for round in 0..<rounds {
                let k = round % 4 + 1
                lines.append("po price P-\(k) \(client + 1) \(price(client, round)) --key c\(client)-pr\(round) --as \(buyer)")
                lines.append("po pay Q-\(k) \(amount(client, round)) --key c\(client)-pay\(round) --as \(finance)")
                lines.append("production Q-\(k) \(client + 1) --finished \(round) --in-progress 1 --key c\(client)-pd\(round) --as \(buyer)")
                expectedPaid[k, default: 0] += Decimal(string: amount(client, round))!
                expectedPrice["P-\(k)/\(client + 1)"] = price(client, round)
                expectedReports[k, default: 0] += 1
                expectedEdits += 1
            }
            files.append(try TemporaryFolder.file(lines.joined(separator: "\n") + "\n"))
        }
        defer { files.forEach { unlink($0) } }
        let linesPerClient = rounds * 3

        let started = Date()
        let processes = try (0..<8).map { index in
            try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: files[index % 4])
        }
        defer { processes.forEach { $0.removeFiles() } }
        var conflicts = 0
        for (index, process) in processes.enumerated() {
            let outcome = process.wait(timeout: 240)
            XCTAssertEqual(outcome, .exited(0), "client \(index): \(outcome) \(process.stderr.prefix(500))")
            let objects = parseJSONLines(process.stdout)
            XCTAssertEqual(objects.count, linesPerClient, "client \(index)")
            for object in objects where !object.succeeded {
                if object.errorCode == "conflict" { conflicts += 1 }
                XCTFail("client \(index): \(object.serialized.prefix(400))")
            }
        }
        let seconds = Date().timeIntervalSince(started)

        // Exact figures: every keyed write once, whoever ran it.
        for k in 1...4 {
            let paid = try scalar("""
                SELECT coalesce(sum(p.amount), 0) FROM procure.payments p JOIN procure.orders o ON o.supplier_id = p.supplier_id AND o.id = p.order_id
                 WHERE o.number = $1
                """, ["Q-\(k)"])
            XCTAssertEqual(paid.flatMap { Decimal(string: $0) }, expectedPaid[k], "paid on Q-\(k)")
            let reports = try scalar("""
                SELECT count(*) FROM procure.production_reports r JOIN procure.orders o ON o.supplier_id = r.supplier_id AND o.id = r.order_id
                 WHERE o.number = $1
                """, ["Q-\(k)"])
            XCTAssertEqual(reports, String(expectedReports[k]!), "reports on Q-\(k)")
            for line in 1...4 {
                let current = try scalar("""
                    SELECT l.price FROM procure.order_lines l JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id
                     WHERE o.number = $1 AND l.line_no = $2
                    """, ["P-\(k)", line])
                XCTAssertEqual(current.flatMap { Decimal(string: $0) }, Decimal(string: expectedPrice["P-\(k)/\(line)"]!), "price of P-\(k) line \(line)")
            }
        }
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.price_edits WHERE accepted"), String(expectedEdits))
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.idempotency_keys"), String(4 * linesPerClient))
        let injected = Int(try scalar("SELECT last_value FROM public.rel_fault_seq") ?? "0") ?? 0
        let faults = (1...max(injected, 1)).filter { $0 % 14 == 3 || $0 % 14 == 10 }.count
        XCTAssertGreaterThan(faults, 20, "the injection must actually have fired")
        let verify = try procure(["--format", "json", "audit", "verify"])
        XCTAssertTrue(verify.stdout.contains("\"ok\":true"), verify.stdout)

        Figures.record("concurrency.clients", 8)
        Figures.record("concurrency.lines", 8 * linesPerClient)
        Figures.record("concurrency.injected_40001_40P01_retried", faults)
        Figures.record("concurrency.conflicts_reported", conflicts)
        Figures.record("concurrency.seconds", String(format: "%.1f", seconds))
    }

    /// A deadlock the server itself detects: the test's own transaction holds the order, procure's
    /// transaction (a keyed payment) holds its key's lock and waits for the order, the test then
    /// asks for the key's lock. PostgreSQL aborts procure's side (its deadlock_timeout is the
    /// shorter) with 40P01; procure retries, and the payment is made once.
    func testADeadlockDetectedByTheServerIsRetried() throws {
        let deadlocksBefore = Int(try scalar("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") ?? "0") ?? 0
        let holder = try Connection(conninfo)
        try holder.execute(script: "BEGIN; SET LOCAL deadlock_timeout = '60s'; SET LOCAL lock_timeout = '30s'")
        try holder.query("SELECT 1 FROM procure.orders WHERE number = 'Q-1' FOR UPDATE")
        let path = try TemporaryFolder.file("po pay Q-1 12.34 --key deadlock-1 --as \(finance)\n")
        defer { unlink(path) }
        let process = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: path)
        defer { process.removeFiles() }
        // Wait until procure's backend waits for the order row.
        let watcher = try Connection(conninfo)
        var waiting = false
        for _ in 0..<500 where !waiting {
            let row = try watcher.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND pid <> pg_backend_pid()
                   AND wait_event_type = 'Lock'
                """, [Int(holder.backendPID)]).first
            waiting = row?[0] != "0"
            if !waiting { usleep(10_000) }
        }
        XCTAssertTrue(waiting, "procure never waited for the order row")
        // Now close the cycle: ask for the key's advisory lock, which procure holds.
        var holderError: PostgresError?
        do {
            try holder.query("SELECT pg_advisory_xact_lock(hashtextextended('idempotency:' || $1 || ':' || $2, 0))", [finance, "deadlock-1"])
        } catch let error as PostgresError {
            holderError = error
        }
        try? holder.execute(script: "ROLLBACK")
        XCTAssertNil(holderError, "the test's transaction should not be the victim: \(String(describing: holderError))")
        let outcome = process.wait(timeout: 60)
        XCTAssertEqual(outcome, .exited(0), process.stdout + process.stderr)
        XCTAssertTrue(process.stdout.contains("\"ok\":true"), process.stdout)
        XCTAssertEqual(try scalar("""
            SELECT count(*) FROM procure.payments p JOIN procure.orders o ON o.supplier_id = p.supplier_id AND o.id = p.order_id
             WHERE o.number = 'Q-1' AND p.amount = 12.34
            """), "1")
        var deadlocksAfter = deadlocksBefore
        for _ in 0..<50 where deadlocksAfter == deadlocksBefore {
            usleep(100_000)
            deadlocksAfter = Int(try Connection(conninfo).query("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").first?[0] ?? "0") ?? 0
        }
        XCTAssertGreaterThan(deadlocksAfter, deadlocksBefore, "PostgreSQL detected no deadlock: the test no longer builds one")
        Figures.record("concurrency.server_detected_deadlocks_retried", deadlocksAfter - deadlocksBefore)
    }

    /// A keyed price edit hit by a serialization failure is retried like any other line (it
    /// answered `conflict` at once before 6cc68cb: OrderPrice turned the error into a refusal).
    func testAKeyedPriceEditIsRetriedAfterASerializationFailure() throws {
        try injectFaults([("n <= 2", .serializationFailure)], on: ["UPDATE OF price ON procure.order_lines"])
        let run = try batch(["po price P-3 1 97.5 --key retried-1 --as \(buyer)", "po price P-3 2 97.25 --as \(buyer)"])
        XCTAssertEqual(run.objects.map(\.succeeded), [true, true], run.objects.map(\.serialized).joined(separator: "\n"))
        XCTAssertEqual(try scalar("""
            SELECT string_agg(l.price::text, ',' ORDER BY l.line_no) FROM procure.order_lines l
              JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id
             WHERE o.number = 'P-3' AND l.line_no <= 2
            """), "97.5,97.25")
        XCTAssertGreaterThanOrEqual(Int(try scalar("SELECT last_value FROM public.rel_fault_seq") ?? "0") ?? 0, 4, "two injected failures, then the two edits")
    }

    /// Three serialization failures, then success: one payment. Failures that never stop:
    /// `conflict` after the retries, and nothing written.
    func testRetriesThenSuccessAndExhaustedRetriesAnswerConflict() throws {
        try injectFaults([("(NEW.amount = 14.14 AND n <= 3) OR NEW.amount = 13.13", .serializationFailure)], on: ["INSERT ON procure.payments"])
        let run = try batch(["po pay Q-2 14.14 --key retry-1 --as \(finance)",
                             "po pay Q-2 13.13 --key retry-2 --as \(finance)",
                             "po pay Q-2 14.14 --key retry-1 --as \(finance)"])
        XCTAssertEqual(run.objects.map(\.succeeded), [true, false, true], run.objects.map(\.serialized).joined(separator: "\n"))
        XCTAssertEqual(run.objects[1].errorCode, "conflict")
        let amounts = try sql("""
            SELECT p.amount FROM procure.payments p JOIN procure.orders o ON o.supplier_id = p.supplier_id AND o.id = p.order_id
             WHERE o.number = 'Q-2' ORDER BY p.id
            """).rows.compactMap { $0[0] }
        XCTAssertEqual(amounts, ["14.14"], "one payment for the retried line, none for the one that kept failing")
        let attempts = Int(try scalar("SELECT last_value FROM public.rel_fault_seq") ?? "0") ?? 0
        XCTAssertGreaterThanOrEqual(attempts, 4 + 2, "3 failed attempts + 1, then several for the exhausted one")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.idempotency_keys WHERE key LIKE 'retry-%'"), "1")
        Figures.record("concurrency.attempts_until_conflict", attempts - 4)
    }
}

extension DatabaseTestCase {
    /// A trigger of the test's own (not part of procure) that makes writes fail with an
    /// SQLSTATE whenever a counter kept in a sequence — which a rollback does not undo — says
    /// so. `faults` are (SQL condition over `n`, the counter's next value, and NEW; SQLSTATE).
    func injectFaults(_ faults: [(String, PostgresError.Code)], on targets: [String]) throws {
        let connection = try Connection(conninfo)
        let checks = faults.map { condition, state in
            "IF \(condition) THEN RAISE EXCEPTION 'injected fault % (test)', n USING ERRCODE = '\(state.raw)'; END IF;"
        }.joined(separator: "\n")
        try connection.execute(script: """
            CREATE SEQUENCE IF NOT EXISTS public.rel_fault_seq;
            CREATE OR REPLACE FUNCTION public.rel_inject_fault() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            DECLARE n bigint := nextval('public.rel_fault_seq');
            BEGIN
                \(checks)
                RETURN NEW;
            END $$;
            """)
        for (index, target) in targets.enumerated() {
            try connection.execute(script: "CREATE TRIGGER rel_inject_fault_\(index) BEFORE \(target) FOR EACH ROW EXECUTE FUNCTION public.rel_inject_fault()")
        }
    }
}
