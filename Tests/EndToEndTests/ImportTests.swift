import Postgres
import TestSupport
import XCTest

/// `import orders FILE.csv`: COPY, the same database rules, all or nothing.
final class ImportTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
    }

    private func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "procure-import-\(UInt32.random(in: 0...UInt32.max)).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAGoodFileCreatesItsOrders() throws {
        let path = try write("""
            number,supplier,date,sku,qty,price
            IMP-1,S1,2026-11-02,A,10,9.5
            IMP-1,S1,2026-11-02,B,2,
            IMP-2,S1,2026-11-03,A,1,10
            """)
        _ = try json(["import", "orders", path, "--as", buyer])
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "2")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.order_lines").first?["n"], "3")
        XCTAssertEqual(try sql("SELECT DISTINCT buyer FROM procure.orders").first?["buyer"], buyer)
        let order = try json(["po", "show", "IMP-1"])
        XCTAssertEqual(order["total"]?.text, "145.00")
    }

    func testOneBadRowInTheMiddleWritesNothingAndNamesTheRow() throws {
        let path = try write("""
            number,supplier,date,sku,qty,price
            IMP-1,S1,2026-11-02,A,10,9.5
            IMP-2,S1,2026-11-02,A,1,10.5
            IMP-3,S1,2026-11-02,B,1,25
            """)
        let run = try procure(["--format", "json", "import", "orders", path, "--as", buyer])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("price_above_base"), run.stdout)
        XCTAssertTrue(run.stdout.contains("row 3"), run.stdout)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "0")
    }

    func testAMalformedValueNamesItsLine() throws {
        let path = try write("""
            number,supplier,date,sku,qty,price
            IMP-1,S1,2026-11-02,A,ten,9.5
            """)
        let run = try procure(["--format", "json", "import", "orders", path, "--as", buyer])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("invalid_argument"), run.stdout)
        XCTAssertTrue(run.stdout.contains("row 2: quantity ten of A is not a plain decimal number"), run.stdout)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "0")
    }

    func testAWrongHeaderIsRefused() throws {
        let path = try write("sku,qty\nA,1\n")
        XCTAssertEqual(try errorCode(["import", "orders", path, "--as", buyer]), "invalid_argument")
    }
}
