import Foundation
import Postgres
import TestSupport
import XCTest

/// The supplier's side of a correction through the CLI: supplier users and what they see, the
/// claim, deadlines that resolve by default, disputes, reuse carried over to the replacement,
/// revision numbers and the case register.
final class SupplierSideTests: DatabaseTestCase {
    var buyer = ""
    var finance = ""
    var acme = ""
    var other = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        let n = TestCluster.uniqueSuffix()
        (finance, acme, other) = ("fin_\(n)", "acme_\(n)", "other_\(n)")
        let run = try batch([
            "supplier add S2 --name 'Other Works'",
            "price set S2 A 12 --from 2026-01-01",
            "user add \(finance) --role finance",
            "user add \(acme) --role supplier --supplier S1",
            "user add \(other) --role supplier --supplier S2",
        ])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
    }

    private func issued(_ number: String, _ lines: String = "A:100@10", supplier: String = "S1") throws {
        let run = try batch(["po create \(supplier) --number \(number) \(lines) --as \(buyer)", "po issue \(number) --as \(buyer)"])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
    }

    func testASupplierUserSeesOnlyItsSuppliersIssuedOrders() throws {
        try issued("P-1")
        try issued("P-2", "A:5@12", supplier: "S2")
        _ = try json(["po", "create", "S1", "--number", "P-3", "A:1", "--as", buyer])          // a draft
        let listed = try XCTUnwrap(try json(["po", "list", "--as", acme]).arrayValue).compactMap { $0["number"]?.text }
        XCTAssertEqual(listed, ["P-1"])
        XCTAssertEqual(try json(["po", "show", "P-1", "--as", acme])["number"]?.text, "P-1")
        XCTAssertNotNil(try errorCode(["po", "show", "P-2", "--as", acme]))
        XCTAssertNotNil(try errorCode(["po", "show", "P-3", "--as", acme]))
        // only its own prices, no other supplier, no buyer's limits
        XCTAssertEqual(try json(["price", "list", "S1", "--as", acme]).arrayValue?.count, 2)
        XCTAssertEqual(try errorCode(["price", "list", "S2", "--as", acme]), "not_found")
        XCTAssertNotNil(try errorCode(["po", "create", "S1", "A:1", "--as", acme]))
        // it acknowledges its own issued order, not another's
        XCTAssertEqual(try json(["po", "ack", "P-1", "--as", acme])["status"]?.text, "acknowledged")
        XCTAssertNotNil(try errorCode(["po", "ack", "P-2", "--as", acme]))
    }

    func testAClaimFinanceDisputesAndAgreesWithTheCaseRegisterAtEachStep() throws {
        try issued("P-1")
        _ = try json(["production", "P-1", "1", "--finished", "20", "--as", acme])
        _ = try json(["correct", "P-1", "--reason", "duplicate", "--note", "sent twice", "--as", buyer])
        func state() throws -> JSONValue? { try json(["case", "list", "--as", finance]).arrayValue?.first }
        XCTAssertEqual(try state()?["state"]?.text, "open")
        XCTAssertEqual(try state()?["days_left"]?.text, "15")
        XCTAssertEqual(try state()?["total"]?.text, "200.00")
        _ = try json(["claim", "submit", "P-1", "--note", "20 made", "--as", acme])
        XCTAssertEqual(try state()?["state"]?.text, "claimed")
        XCTAssertEqual(try state()?["last_note"]?.text, "20 made")
        XCTAssertEqual(try errorCode(["liability", "dispute", "P-1", "--note", "", "--as", finance]), "invalid_argument")
        XCTAssertEqual(try json(["liability", "dispute", "P-1", "--note", "show the batch records", "--as", finance])["status"]?.text, "open")
        XCTAssertEqual(try state()?["state"]?.text, "open")
        _ = try json(["production", "P-1", "1", "--finished", "25", "--as", acme])
        _ = try json(["claim", "submit", "P-1", "--as", acme])
        XCTAssertEqual(try json(["liability", "agree", "P-1", "--as", finance])["total"]?.text, "250.00")
        XCTAssertEqual(try state()?["state"]?.text, "agreed")
        _ = try json(["liability", "settle", "P-1", "--ref", "PAY-9", "--as", finance])
        XCTAssertNil(try state(), "a settled case leaves the register")
        XCTAssertEqual(try json(["case", "list", "--all", "--as", finance]).arrayValue?.first?["state"]?.text, "settled")
        // the supplier sees its case; the other supplier does not
        XCTAssertEqual(try json(["case", "list", "--all", "--as", acme]).arrayValue?.count, 1)
        XCTAssertEqual(try json(["case", "list", "--all", "--as", other]).arrayValue?.count, 0)
    }

    func testASuppliersKeyedClaimReturnsTheFirstResult() throws {
        try issued("P-1")
        _ = try json(["correct", "P-1", "--reason", "duplicate", "--note", "sent twice", "--as", buyer])
        let first = try json(["claim", "submit", "P-1", "--key", "claim-p1", "--as", acme])
        XCTAssertEqual(try json(["claim", "submit", "P-1", "--key", "claim-p1", "--as", acme]), first)
        XCTAssertEqual(try errorCode(["claim", "submit", "P-1", "--key", "claim-again", "--as", acme]), "invalid_state")
    }

    func testAReviewWindowOfNoDaysAgreesAtOnceAndANothingToPayCaseSettles() throws {
        XCTAssertEqual(try json(["supplier", "set", "S2", "--claim-days", "0", "--review-days", "0"])["review_days"]?.text, "0")
        try issued("P-2", "A:5@12", supplier: "S2")
        _ = try json(["production", "P-2", "1", "--finished", "5", "--as", other])
        XCTAssertEqual(try json(["correct", "P-2", "--reason", "other", "--note", "cancelled", "--as", buyer])["status"]?.text, "agreed")
        let notes = try XCTUnwrap(try json(["liability", "show", "P-2", "--as", finance])["notes"]?.arrayValue)
        XCTAssertEqual(notes.compactMap { $0["kind"]?.text }, ["deadline", "deadline"])
        XCTAssertTrue(notes.last?["text"]?.text?.contains("review window closed") == true)
        // nothing produced, nothing paid: 0.00 is settled as it is agreed
        try issued("P-3", "A:5@12", supplier: "S2")
        let free = try json(["correct", "P-3", "--reason", "other", "--note", "not needed", "--as", buyer])
        XCTAssertEqual(free["total"]?.text, "0.00")
        XCTAssertEqual(free["status"]?.text, "settled")
    }

    func testRevokingAReplacementCountsTheWorkItReused() throws {
        // P-1: 100 of A; the supplier had finished 30 and had 20 in progress (cost 300)
        try issued("P-1")
        _ = try json(["production", "P-1", "1", "--finished", "30", "--in-progress", "20", "--wip-cost", "300", "--as", acme])
        let first = try json(["correct", "P-1", "--reason", "wrong-quantity", "--note", "needed 50", "--replace", "A:50", "--as", buyer])
        XCTAssertEqual(first["replacement"]?.text, "P-1-R1")
        // the replacement reused all 50 units: nothing is owed on P-1
        XCTAssertEqual(first["total"]?.text, "0.00")
        let carried = try sql("""
            SELECT r.finished::text AS f, r.in_progress::text AS w, r.wip_cost::text AS wc, r.reported_as
              FROM procure.production_reports r JOIN procure.orders o ON o.supplier_id = r.supplier_id AND o.id = r.order_id
             WHERE o.number = 'P-1-R1'
            """)
        XCTAssertEqual(carried.first?["f"], "30")
        XCTAssertEqual(carried.first?["w"], "20")
        XCTAssertEqual(carried.first?["wc"], "300.00")
        XCTAssertEqual(carried.first?["reported_as"], "carried_over")
        // revoking the replacement counts that work: A = 30 × 10 = 300, C = 300, P = 30, capped
        // at the price of the terminated 50 units, K = 500.00
        let second = try json(["correct", "P-1-R1", "--reason", "other", "--note", "project cancelled", "--as", buyer])
        XCTAssertEqual(second["finished"]?.text, "300.00")
        XCTAssertEqual(second["costs"]?.text, "300.00")
        XCTAssertEqual(second["profit"]?.text, "30.00")
        XCTAssertEqual(second["capped"], .bool(true))
        XCTAssertEqual(second["total"]?.text, "500.00")
        XCTAssertEqual(second["replacement"], .null)
    }

    func testRevisionsNumberFromTheChainsFirstOrder() throws {
        try issued("P-1")
        let first = try json(["correct", "P-1", "--reason", "wrong-date", "--note", "a", "--replace", "A:90", "--number", "SPECIAL",
                              "--as", buyer])
        XCTAssertEqual(first["replacement"]?.text, "SPECIAL")
        XCTAssertEqual(try json(["po", "show", "SPECIAL"])["revision"]?.text, "1")
        let second = try json(["correct", "SPECIAL", "--reason", "wrong-date", "--note", "b", "--replace", "A:80", "--as", buyer])
        XCTAssertEqual(second["replacement"]?.text, "P-1-R2")
        let shown = try json(["po", "show", "P-1-R2"])
        XCTAssertEqual(shown["revision"]?.text, "2")
        XCTAssertEqual(shown["replaces"]?.text, "SPECIAL")
    }
}
