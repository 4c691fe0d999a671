import Postgres
import TestSupport
import XCTest

/// Money that makes sense: no payments beyond the order's total, no price of zero.
final class MoneyTests: DatabaseTestCase {
    var buyer = ""
    var finance = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        finance = "fin_\(TestCluster.uniqueSuffix())"
        _ = try batch(["user add \(finance) --role finance", "po create S1 --number PO-1 A:5 --as \(buyer)", "po issue PO-1 --as \(buyer)"])
    }

    func testPaymentsNeverExceedTheOrderTotal() throws {
        let run = try procure(["po", "pay", "PO-1", "999999999", "--as", finance])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr.trimmingCharacters(in: .newlines),
                       "line 1: invalid_argument: order PO-1: a payment of 999999999.00 would bring the payments to 999999999.00, above the order total 50.00 (0.00 paid so far)")
        XCTAssertEqual(try json(["po", "pay", "PO-1", "30", "--as", finance])["paid"]?.text, "30.00")
        XCTAssertEqual(try errorCode(["po", "pay", "PO-1", "20.01", "--as", finance]), "invalid_argument")
        XCTAssertEqual(try json(["po", "pay", "PO-1", "20", "--as", finance])["paid"]?.text, "50.00", "up to the total exactly")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.payments").first?["n"], "2")
    }

    func testAPaymentBeyondTheTotalIsRefusedInPsqlToo() throws {
        let connection = try Connection(conninfo)
        XCTAssertThrowsError(try connection.query("""
            INSERT INTO procure.payments (supplier_id, order_id, amount)
            SELECT supplier_id, id, 50.01 FROM procure.orders WHERE number = 'PO-1'
            """)) { error in
            XCTAssertEqual((error as? PostgresError)?.constraintName, "invalid_argument")
        }
    }

    func testAZeroPriceIsRefusedWhereverItComesFrom() throws {
        // a buyer without a discount limit, so only the zero rule stands in the way
        XCTAssertEqual(try errorCode(["po", "create", "S1", "A:1@0", "--as", buyer]), "invalid_argument")
        XCTAssertEqual(try errorCode(["po", "create", "S1", "A:1@0.0000", "--as", buyer]), "invalid_argument")
        _ = try json(["po", "create", "S1", "--number", "PO-2", "A:1", "--as", buyer])
        let run = try procure(["po", "price", "PO-2", "1", "0", "--as", buyer])
        XCTAssertTrue(run.stderr.contains("order PO-2 line 1 (A): a price must be above zero, not 0"), run.stderr)
        XCTAssertEqual(try errorCode(["price", "set", "S1", "B", "0", "--from", "2030-01-01"]), "invalid_argument")
        XCTAssertEqual(try sql("SELECT (price = 10)::text AS p FROM procure.order_lines l JOIN procure.orders o ON o.id = l.order_id WHERE o.number = 'PO-2'")
            .first?["p"], "true", "the refused edit changed nothing")
    }
}
