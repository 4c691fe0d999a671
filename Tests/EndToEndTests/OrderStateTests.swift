import Postgres
import TestSupport
import XCTest

/// SPEC §5: the order state machine, enforced by the database whoever attempts a transition.
final class OrderStateTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
    }

    private func createOrder(_ number: String) throws {
        _ = try json(["po", "create", "S1", "--number", number, "A:10", "--as", buyer])
    }

    private func status(_ number: String) throws -> String? {
        try sql("SELECT status FROM procure.orders WHERE number = $1", [number]).first?["status"]
    }

    func testTheLegalPathFromDraftToClosed() throws {
        try createOrder("PO-1")
        XCTAssertEqual(try status("PO-1"), "draft")
        _ = try json(["po", "issue", "PO-1", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "issued")
        _ = try json(["po", "ack", "PO-1", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "acknowledged")
        _ = try json(["production", "PO-1", "1", "--in-progress", "4", "--wip-cost", "12", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "in_production")
        _ = try json(["po", "receive", "PO-1", "1", "6", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "in_production", "a partial delivery keeps the order open")
        _ = try json(["po", "receive", "PO-1", "1", "4", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "delivered")
        _ = try json(["po", "close", "PO-1", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "closed")
    }

    func testIllegalTransitionsAreInvalidState() throws {
        try createOrder("PO-1")
        XCTAssertEqual(try errorCode(["po", "ack", "PO-1", "--as", buyer]), "invalid_state", "draft → acknowledged")
        XCTAssertEqual(try errorCode(["po", "close", "PO-1", "--as", buyer]), "invalid_state", "draft → closed")
        XCTAssertEqual(try errorCode(["correct", "PO-1", "--reason", "other", "--note", "x", "--as", buyer]), "invalid_state",
                       "a draft is deleted, not revoked")
        _ = try json(["po", "issue", "PO-1", "--as", buyer])
        XCTAssertEqual(try errorCode(["po", "issue", "PO-1", "--as", buyer]), "invalid_state", "issued → issued")
        XCTAssertEqual(try errorCode(["po", "close", "PO-1", "--as", buyer]), "invalid_state", "issued → closed")
        XCTAssertEqual(try errorCode(["po", "delete", "PO-1", "--as", buyer]), "invalid_state", "an issued order is not deleted")
        _ = try json(["correct", "PO-1", "--reason", "duplicate", "--note", "sent twice", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "revoked")
        for verb in [["po", "issue"], ["po", "ack"], ["po", "close"]] {
            XCTAssertEqual(try errorCode(verb + ["PO-1", "--as", buyer]), "invalid_state", "revoked → \(verb)")
        }
    }

    func testADeliveredOrderCannotBeRevoked() throws {
        try createOrder("PO-1")
        _ = try json(["po", "issue", "PO-1", "--as", buyer])
        _ = try json(["po", "receive", "PO-1", "1", "10", "--as", buyer])
        XCTAssertEqual(try status("PO-1"), "delivered")
        XCTAssertEqual(try errorCode(["correct", "PO-1", "--reason", "other", "--note", "late", "--as", buyer]), "invalid_state")
    }

    func testRawSQLTransitionsAreCheckedByTheDatabase() throws {
        try createOrder("PO-1")
        let connection = try Connection(conninfo)
        XCTAssertThrowsError(try connection.query("UPDATE procure.orders SET status = 'closed' WHERE number = 'PO-1'")) { error in
            XCTAssertEqual((error as? PostgresError)?.constraintName, "invalid_state")
        }
        XCTAssertThrowsError(try connection.query("UPDATE procure.orders SET status = 'revoked' WHERE number = 'PO-1'")) { error in
            XCTAssertEqual((error as? PostgresError)?.constraintName, "invalid_state")
        }
        XCTAssertEqual(try status("PO-1"), "draft")
    }

    func testDraftDeleteRemovesTheOrder() throws {
        try createOrder("PO-1")
        _ = try json(["po", "delete", "PO-1", "--as", buyer])
        XCTAssertEqual(try errorCode(["po", "show", "PO-1"]), "not_found")
    }

    func testIdempotentCreateMakesOneOrder() throws {
        let first = try json(["po", "create", "S1", "--key", "k-1", "A:5", "--as", buyer])
        let second = try json(["po", "create", "S1", "--key", "k-1", "A:5", "--as", buyer])
        XCTAssertEqual(first["number"], second["number"])
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "1")
    }
}
