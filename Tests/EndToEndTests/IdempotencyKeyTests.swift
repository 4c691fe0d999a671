import Postgres
import TestSupport
import XCTest

/// `--key K` on any verb: a repeat returns the first result and writes nothing.
final class IdempotencyKeyTests: DatabaseTestCase {
    var buyer = ""
    var finance = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        finance = "fin_\(TestCluster.uniqueSuffix())"
        _ = try batch([
            "user add \(finance) --role finance",
            "po create S1 --number PO-1 A:10 --as \(buyer)",
            "po issue PO-1 --as \(buyer)",
        ])
    }

    func testARepeatedPaymentIsPaidOnce() throws {
        let first = try json(["po", "pay", "PO-1", "25", "--key", "pay-1", "--as", finance])
        let second = try json(["po", "pay", "PO-1", "25", "--key", "pay-1", "--as", finance])
        XCTAssertEqual(first, second)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.payments").first?["n"], "1")
    }

    func testARepeatedTransitionDoesNotFail() throws {
        _ = try json(["po", "ack", "PO-1", "--key", "ack-1", "--as", buyer])
        let again = try procure(["--format", "json", "po", "ack", "PO-1", "--key", "ack-1", "--as", buyer])
        XCTAssertEqual(again.status, 0, again.stdout)
        XCTAssertEqual(try errorCode(["po", "ack", "PO-1", "--as", buyer]), "invalid_state", "without the key it is a second ack")
    }

    func testAKeyIsBoundToItsVerb() throws {
        _ = try json(["po", "ack", "PO-1", "--key", "k", "--as", buyer])
        XCTAssertEqual(try errorCode(["po", "receive", "PO-1", "1", "5", "--key", "k", "--as", buyer]), "invalid_argument")
        XCTAssertEqual(try sql("SELECT sum(delivered) AS n FROM procure.order_lines").first?["n"], "0")
    }

    /// Keys belong to their user: finance's key k and the buyer's key k are two keys.
    func testKeysBelongToTheirUser() throws {
        _ = try json(["po", "pay", "PO-1", "25", "--key", "k", "--as", finance])
        let acknowledged = try json(["po", "ack", "PO-1", "--key", "k", "--as", buyer])
        XCTAssertEqual(acknowledged["status"], .string("acknowledged"))
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.payments").first?["n"], "1")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.idempotency_keys WHERE key = 'k'").first?["n"], "2")
    }

    /// A verb that only reads stores no key (auditors write nothing, keys included).
    func testAReadStoresNoKey() throws {
        _ = try json(["po", "show", "PO-1", "--key", "read-1", "--as", buyer])
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.idempotency_keys").first?["n"], "0")
    }

    func testAFailedLineStoresNoKey() throws {
        XCTAssertEqual(try errorCode(["po", "pay", "PO-1", "-5", "--key", "bad", "--as", finance]), "invalid_argument")
        _ = try json(["po", "pay", "PO-1", "5", "--key", "bad", "--as", finance])
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.payments").first?["n"], "1")
    }
}
