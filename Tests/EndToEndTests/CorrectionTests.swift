import Foundation
import Postgres
import TestSupport
import XCTest

/// Corrections through the CLI: revocation and replacement, production reports, the claim
/// window, the supplier's claim, finance.
final class CorrectionTests: DatabaseTestCase {
    var buyer = ""
    var finance = ""
    var supplier = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        finance = "fin_\(TestCluster.uniqueSuffix())"
        supplier = "sup_\(TestCluster.uniqueSuffix())"
        _ = try json(["user", "add", finance, "--role", "finance"])
        _ = try json(["user", "add", supplier, "--role", "supplier", "--supplier", "S1"])
    }

    /// PO-1 of docs/liability.md: issued, acknowledged, 500.00 paid, production on lines 1 and 3.
    private func workedExampleOrder() throws {
        let run = try batch([
            "po create S1 --number PO-1 A:100@10 A:60@9.5 B:40@25 --as \(buyer)",
            "po issue PO-1 --as \(buyer)",
            "po ack PO-1 --as \(buyer)",
            "po pay PO-1 500 --as \(finance)",
            "production PO-1 1 --finished 30 --in-progress 20 --wip-cost 300 --materials 100 --salvage 50 --as \(buyer)",
            "production PO-1 3 --finished 8 --as \(buyer)",
        ])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
    }

    private let correctPO1 = ["correct", "PO-1", "--reason", "wrong-quantity", "--note", "Needed 40 of A, not 160",
                              "--replace", "A:40", "--settlement", "200"]

    func testTheWorkedExampleOfTheDocs() throws {
        try workedExampleOrder()
        let result = try json(correctPO1 + ["--as", buyer])
        let expected: [String: String] = [
            "regime": "cost", "currency": "CNY", "finished": "200.00", "costs": "250.00", "profit": "25.00",
            "cap": "2170.00", "saved": "0.00", "settlement": "200.00", "credits": "50.00",
            "payments": "500.00", "total": "125.00", "status": "open",
        ]
        for (key, value) in expected {
            XCTAssertEqual(result[key]?.text, value, key)
            if key != "capped" { guard case .string = result[key] else { return XCTFail("\(key) is not a string") } }
        }
        XCTAssertEqual(result["capped"], .bool(false))
        let lines = try XCTUnwrap(result["lines"]?.arrayValue)
        XCTAssertEqual(lines.map { $0["reused_finished"]?.text }, ["30", "0", "0"])
        XCTAssertEqual(lines.map { $0["reused_in_progress"]?.text }, ["10", "0", "0"])
        XCTAssertEqual(lines.map { $0["terminated"]?.text }, ["60", "60", "40"])
        let replacement = try XCTUnwrap(result["replacement"]?.text)
        XCTAssertEqual(replacement, "PO-1-R1")
        let shown = try json(["po", "show", replacement])
        // the replacement starts with the work it reuses, so it is in production at once
        XCTAssertEqual(shown["status"]?.text, "in_production")
        XCTAssertEqual(shown["replaces"]?.text, "PO-1")
        XCTAssertEqual(shown["revision"]?.text, "1")
        XCTAssertEqual(try json(["po", "show", "PO-1"])["replaced_by"]?.text, replacement)
        XCTAssertEqual(try json(["liability", "show", "PO-1", "--as", finance])["total"]?.text, "125.00")
    }

    func testFinanceAgreesAndSettlesAndTheFiguresFreeze() throws {
        try workedExampleOrder()
        _ = try json(correctPO1 + ["--as", buyer])
        // open: the supplier's claim window runs; finance cannot agree yet
        XCTAssertEqual(try errorCode(["liability", "agree", "PO-1", "--as", finance]), "invalid_state")
        XCTAssertEqual(try errorCode(["claim", "submit", "PO-1", "--as", buyer]), "permission_denied")
        XCTAssertEqual(try json(["claim", "submit", "PO-1", "--as", supplier])["status"]?.text, "claimed")
        XCTAssertEqual(try errorCode(["liability", "agree", "PO-1", "--as", buyer]), "permission_denied")
        XCTAssertEqual(try errorCode(["liability", "settle", "PO-1", "--ref", "X", "--as", finance]), "invalid_state")
        XCTAssertEqual(try json(["liability", "agree", "PO-1", "--as", finance])["status"]?.text, "agreed")
        // A report no longer changes an agreed liability: the claim window is closed.
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as", supplier]), "claim_window_closed")
        XCTAssertEqual(try json(["liability", "show", "PO-1"])["total"]?.text, "125.00")
        XCTAssertEqual(try json(["liability", "settle", "PO-1", "--ref", "PAY-1", "--as", finance])["status"]?.text, "settled")
        let listed = try json(["liability", "list", "--status", "settled", "--as", finance])
        XCTAssertEqual(listed.arrayValue?.count, 1)
        let history = try json(["history", "PO-1"]).serialized
        XCTAssertTrue(history.contains("agreed") && history.contains("settled"), history)
    }

    func testAfterTheRevocationOnlyTheSupplierReportsAsOfTheRevocation() throws {
        try workedExampleOrder()
        _ = try json(correctPO1 + ["--as", buyer])
        // the order's buyer and finance are refused after the revocation
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as", buyer]), "permission_denied")
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as", finance]), "permission_denied")
        // the supplier reports as of the revocation at the latest, never before the issue
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as-of", "2099-01-01T00:00:00Z",
                                      "--as", supplier]), "invalid_argument")
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as-of", "2026-01-02T00:00:00Z",
                                      "--as", supplier]), "invalid_argument")
        XCTAssertEqual(try json(["liability", "show", "PO-1"])["total"]?.text, "125.00")
        // 10 finished units of line 2, as of the revocation. The replacement's 40 units of A
        // now reuse the 30 + 10 finished units first, so line 1's in-progress units are no
        // longer reused: A = 8 × 25 = 200.00, C = 300 + 100 = 400.00, P = 40.00,
        // total = 640.00 + 200.00 − 50.00 − 500.00 = 290.00.
        let report = try json(["production", "PO-1", "2", "--finished", "10", "--as", supplier])
        XCTAssertEqual(report["counts"], .bool(true))
        XCTAssertEqual(report["reported_as"]?.text, "supplier")
        XCTAssertEqual(report["as_of"]?.text, try json(["po", "show", "PO-1"])["revoked_at"]?.text)
        let recomputed = try json(["liability", "show", "PO-1"])
        XCTAssertEqual(recomputed["costs"]?.text, "400.00")
        XCTAssertEqual(recomputed["total"]?.text, "290.00")
    }

    func testAnAdminReportsForTheSupplierOnlyWithANote() throws {
        let admin = "adm_\(TestCluster.uniqueSuffix())"
        _ = try json(["user", "add", admin, "--role", "admin"])
        try workedExampleOrder()
        _ = try json(correctPO1 + ["--as", buyer])
        XCTAssertEqual(try errorCode(["production", "PO-1", "2", "--finished", "10", "--as", admin]), "invalid_argument")
        let report = try json(["production", "PO-1", "2", "--finished", "10", "--note", "by phone with the supplier", "--as", admin])
        XCTAssertEqual(report["reported_as"]?.text, "admin")
        XCTAssertEqual(report["note"]?.text, "by phone with the supplier")
        XCTAssertEqual(try json(["liability", "show", "PO-1"])["total"]?.text, "290.00")
    }

    func testTheClaimWindowCloses() throws {
        let quick = "quick_\(TestCluster.uniqueSuffix())"
        _ = try batch([
            "supplier add S2 --name Quick --claim-days 0",
            "price set S2 A 10 --from 2026-01-01",
            "user add \(quick) --role supplier --supplier S2",
            "po create S2 --number PO-2 A:10 --as \(buyer)",
            "po issue PO-2 --as \(buyer)",
        ])
        // a claim window of 0 days closes as it opens: correct already returns the claimed state
        let revoked = try json(["correct", "PO-2", "--reason", "duplicate", "--note", "twice", "--as", buyer])
        XCTAssertEqual(revoked["status"]?.text, "claimed")
        XCTAssertEqual(try errorCode(["production", "PO-2", "1", "--finished", "1", "--as", quick]), "claim_window_closed")
        let notes = try XCTUnwrap(try json(["liability", "show", "PO-2", "--as", finance])["notes"]?.arrayValue)
        XCTAssertEqual(notes.last?["kind"]?.text, "deadline")
        XCTAssertTrue(notes.last?["text"]?.text?.contains("claim window closed") == true)
        let moves = try XCTUnwrap(try json(["history", "PO-2"]).arrayValue).filter { $0["table"]?.text == "liabilities" }
        let changes = moves.last?["changes"]?.text ?? ""
        XCTAssertTrue(changes.contains("status: open → claimed"), "\(moves.map(\.serialized))")
        XCTAssertFalse(changes.contains("claimed_by"), "a claim by default names no supplier user: \(changes)")
    }

    func testNotInProductionCostsNothingButTheRefund() throws {
        _ = try batch([
            "po create S1 --number PO-3 A:10 --as \(buyer)",
            "po issue PO-3 --as \(buyer)",
            "po pay PO-3 30 --as \(finance)",
        ])
        let result = try json(["correct", "PO-3", "--reason", "wrong-item", "--note", "B, not A", "--settlement", "99", "--as", buyer])
        XCTAssertEqual(result["total"]?.text, "-30.00")
    }

    func testDryRunWritesNothing() throws {
        try workedExampleOrder()
        let before = try sql("SELECT (SELECT count(*) FROM procure.orders) AS o, (SELECT count(*) FROM procure.audit_log) AS a").first
        let result = try json(correctPO1 + ["--dry-run", "--as", buyer])
        XCTAssertEqual(result["total"]?.text, "125.00")
        let after = try sql("SELECT (SELECT count(*) FROM procure.orders) AS o, (SELECT count(*) FROM procure.audit_log) AS a").first
        XCTAssertEqual(before?["o"], after?["o"])
        XCTAssertEqual(before?["a"], after?["a"])
        XCTAssertEqual(try sql("SELECT status FROM procure.orders WHERE number = 'PO-1'").first?["status"], "in_production")
    }

    func testARepeatedKeyReturnsTheSameCorrection() throws {
        try workedExampleOrder()
        let first = try json(correctPO1 + ["--key", "fix-po-1", "--as", buyer])
        let second = try json(correctPO1 + ["--key", "fix-po-1", "--as", buyer])
        XCTAssertEqual(first, second)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.corrections").first?["n"], "1")
        XCTAssertEqual(try errorCode(correctPO1 + ["--key", "another", "--as", buyer]), "already_revoked")
    }

    func testANoteIsRequired() throws {
        try workedExampleOrder()
        XCTAssertEqual(try errorCode(["correct", "PO-1", "--reason", "other", "--note", "", "--as", buyer]), "invalid_argument")
        XCTAssertEqual(try errorCode(["correct", "PO-1", "--reason", "typo", "--note", "x", "--as", buyer]), "invalid_argument")
        // the revocation's rules live where every revocation is written, and say which flag
        let blank = try batch(["correct PO-1 --reason other --note '   ' --as \(buyer)"]).objects.first
        XCTAssertEqual(blank?["error"]?["code"]?.text, "invalid_argument")
        XCTAssertTrue(blank?["error"]?["message"]?.text?.contains("(--note)") ?? false, "\(blank?.serialized ?? "")")
        XCTAssertEqual(try sql("SELECT status FROM procure.orders WHERE number = 'PO-1'").first?["status"], "in_production")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.corrections").first?["n"], "0")
    }

    /// psql is held to the same rules as `correct`: a revocation written by hand with a reason
    /// outside the list, or of a draft, is refused by the table's own trigger.
    func testARevocationWrittenInPsqlMeetsTheSameRules() throws {
        try workedExampleOrder()
        let order = "(SELECT supplier_id FROM procure.orders WHERE number = 'PO-1'), (SELECT id FROM procure.orders WHERE number = 'PO-1')"
        XCTAssertThrowsError(try sql("INSERT INTO procure.corrections (supplier_id, order_id, reason, note) VALUES (\(order), 'typo', 'x')")) { error in
            XCTAssertTrue(String(reflecting: error).contains("is not one of"), String(reflecting: error))
        }
        XCTAssertEqual(try sql("SELECT status FROM procure.orders WHERE number = 'PO-1'").first?["status"], "in_production")
    }

    func testEightClientsRacingOverFiftyOrders() throws {
        let orders = (1...50).map { "R-\($0)" }
        var setup: [String] = []
        for number in orders {
            setup.append("po create S1 --number \(number) A:10 --as \(buyer)")
            setup.append("po issue \(number) --as \(buyer)")
        }
        XCTAssertEqual(try batch(setup).status, 0)
        let results = ResultBox()
        let (conninfo, buyer) = (self.conninfo, self.buyer)
        DispatchQueue.concurrentPerform(iterations: 8) { client in
            let lines = orders.shuffled().map {
                "correct \($0) --reason duplicate --note 'client \(client)' --replace A:10 --as \(buyer)"
            }
            let input = lines.joined(separator: "\n") + "\n"
            let run = try? ProcureBinary.run(["--db", conninfo, "--format", "json"], stdin: input)
            let objects = (run?.stdout ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            results.add(objects)
        }
        let all = results.objects
        XCTAssertEqual(all.count, 400)
        XCTAssertEqual(all.filter { $0["ok"] == .bool(true) }.count, 50)
        let codes = Dictionary(grouping: all.compactMap { $0["error"]?["code"]?.text }, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(codes, ["already_revoked": 350], "\(all.filter { $0["ok"] == .bool(false) && $0["error"]?["code"]?.text != "already_revoked" }.prefix(3).map(\.serialized))")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.corrections").first?["n"], "50")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders WHERE replaces IS NOT NULL").first?["n"], "50")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders WHERE status = 'revoked'").first?["n"], "50")
    }
}

/// Collects results from concurrent clients.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [JSONValue] = []

    func add(_ items: [JSONValue]) {
        lock.lock(); defer { lock.unlock() }
        collected += items
    }

    var objects: [JSONValue] {
        lock.lock(); defer { lock.unlock() }
        return collected
    }
}
