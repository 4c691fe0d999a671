import Postgres
import TestSupport
import XCTest

/// `po line add|set|remove`: a draft's lines edited with the price rules of `po create`.
final class DraftLineTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        _ = try json(["po", "create", "S1", "--number", "PO-1", "--date", "2026-03-01", "A:10", "--as", buyer])
    }

    /// PO-1's lines as `LINE SKU QTY PRICE`.
    private func lines() throws -> [String] {
        let result = try sql("""
            SELECT concat_ws(' ', l.line_no, i.sku, l.qty, l.price) AS line
              FROM procure.order_lines l JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id
              JOIN procure.items i ON i.id = l.item_id
             WHERE o.number = 'PO-1' ORDER BY l.line_no
            """)
        return result.rows.map { $0["line"] ?? "" }
    }

    func testAddSetAndRemoveLinesOfADraft() throws {
        let added = try json(["po", "line", "add", "PO-1", "B:2", "--as", buyer])
        XCTAssertEqual(added["total"]?.text, "150.00", "10 × 10.00 + 2 × 25.00 at the base prices")
        _ = try json(["po", "line", "add", "PO-1", "A:1@9.5", "--as", buyer])
        let set = try json(["po", "line", "set", "PO-1", "2", "--qty", "4", "--as", buyer])
        XCTAssertEqual(set["total"]?.text, "209.50")
        // A new item without a price takes that item's base price.
        _ = try json(["po", "line", "set", "PO-1", "3", "--sku", "B", "--as", buyer])
        _ = try json(["po", "line", "set", "PO-1", "1", "--price", "8", "--as", buyer])
        let removed = try json(["po", "line", "remove", "PO-1", "2", "--as", buyer])
        XCTAssertEqual(removed["lines"]?.arrayValue?.compactMap { $0["line"]?.text }, ["1", "3"], "the other lines keep their numbers")
        XCTAssertEqual(try lines(), ["1 A 10 8", "3 B 1 25"])
        let next = try json(["po", "line", "add", "PO-1", "A:1", "--as", buyer])
        XCTAssertEqual(next["lines"]?.arrayValue?.last?["line"]?.text, "4", "a new line comes after the last")
        let edits = try sql("SELECT count(*) AS n FROM procure.price_edits WHERE accepted").first?["n"]
        XCTAssertEqual(edits, "2", "the price change and the item change are price edits")
    }

    func testThePriceRulesHoldAndARefusedPriceIsRecorded() throws {
        XCTAssertEqual(try errorCode(["po", "line", "add", "PO-1", "A:1@10.01", "--as", buyer]), "price_above_base")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "1", "--price", "11", "--as", buyer]), "price_above_base")
        XCTAssertEqual(try errorCode(["po", "line", "add", "PO-1", "NOPE:1", "--as", buyer]), "not_found")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "1", "--sku", "NOPE", "--as", buyer]), "not_found")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "9", "--qty", "1", "--as", buyer]), "not_found")
        XCTAssertEqual(try errorCode(["po", "line", "remove", "PO-1", "9", "--as", buyer]), "not_found")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "1", "--qty", "0", "--as", buyer]), "invalid_argument")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "1", "--as", buyer]), "invalid_argument")
        XCTAssertEqual(try lines(), ["1 A 10 10"], "nothing changed")
        let refused = try sql("SELECT new_price::text AS price, code FROM procure.price_edits WHERE NOT accepted")
        XCTAssertEqual(refused.rows.map { $0["price"] ?? "" }, ["11"])
        XCTAssertEqual(refused.first?["code"], "price_above_base")
    }

    func testOnlyADraftsItemsAndQuantitiesChangeAndOnlyByItsBuyer() throws {
        let other = "buyer_\(TestCluster.uniqueSuffix())"
        _ = try json(["user", "add", other, "--role", "buyer"])
        XCTAssertEqual(try errorCode(["po", "line", "add", "PO-1", "A:1", "--as", other]), "not_found")
        _ = try json(["po", "issue", "PO-1", "--as", buyer])
        XCTAssertEqual(try errorCode(["po", "line", "add", "PO-1", "B:1", "--as", buyer]), "invalid_state")
        XCTAssertEqual(try errorCode(["po", "line", "set", "PO-1", "1", "--qty", "3", "--as", buyer]), "invalid_state")
        XCTAssertEqual(try errorCode(["po", "line", "remove", "PO-1", "1", "--as", buyer]), "invalid_state")
        XCTAssertEqual(try lines(), ["1 A 10 10"])
    }
}
