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

    func testAnExcelCSVWithAByteOrderMarkAndWindowsLineEndsImports() throws {
        let path = try write("\u{FEFF}number,supplier,date,sku,qty,price\r\nXL-1,S1,2026-11-02,A,2,\r\nXL-1,S1,2026-11-02,B,1,24\r\n")
        let result = try json(["import", "orders", path, "--as", buyer])
        XCTAssertEqual(result["orders"]?.text, "1")
        XCTAssertEqual(result["lines"]?.text, "2")
        XCTAssertEqual(try json(["po", "show", "XL-1"])["total"]?.text, "44.00")
    }

    func testEveryBadRowIsReportedUpToALimit() throws {
        let path = try write("""
            number,supplier,date,sku,qty,price
            IMP-1,S1,2026-11-02,A,10,9.5
            IMP-2,S1,2026-11-02,A,1,10.5
            IMP-3,S1,2026-11-02,NOPE,1,
            IMP-4,S1,2026-11-02,B,1,25
            IMP-5,S1,2026-11-31,B,1,25
            """)
        let run = try procure(["--format", "json", "import", "orders", path, "--as", buyer])
        XCTAssertEqual(run.status, 1)
        let error = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["error"]
        XCTAssertEqual(error?["code"]?.text, "price_above_base", "the first bad row's code")
        let message = error?["message"]?.text ?? ""
        XCTAssertTrue(message.hasPrefix("3 rows refused, nothing imported"), message)
        XCTAssertTrue(message.contains("row 3: order IMP-2 line 1 (A): price 10.5 is above the base price"), message)
        XCTAssertTrue(message.contains("row 4: item NOPE not found"), message)
        XCTAssertTrue(message.contains("row 6: date 2026-11-31 is not a calendar date"), message)
        XCTAssertFalse(message.contains("row 2") || message.contains("row 5"), message)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "0")

        var many = "number,supplier,date,sku,qty,price\n"
        for row in 1...25 { many += "BAD-\(row),S1,2026-11-02,A,-\(row),\n" }
        let limited = try procure(["--format", "json", "import", "orders", try write(many), "--as", buyer])
        let limitedMessage = try JSONParser.parse(limited.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["error"]?["message"]?.text ?? ""
        XCTAssertTrue(limitedMessage.hasPrefix("25 rows refused, nothing imported; the first 20:"), limitedMessage)
        XCTAssertTrue(limitedMessage.contains("row 21:"), limitedMessage)
        XCTAssertFalse(limitedMessage.contains("row 22:"), limitedMessage)
    }

    func testTheRowBlamedForAnOrderOfTwoSuppliersIsTheOneThatDiffers() throws {
        _ = try json(["supplier", "add", "S2", "--name", "Beta"])
        let path = try write("""
            number,supplier,date,sku,qty,price
            IMP-1,S1,2026-11-02,A,1,
            IMP-1,S1,2026-11-02,B,1,
            IMP-1,S2,2026-11-02,A,1,
            IMP-1,S1,2026-11-03,A,1,
            """)
        let run = try procure(["--format", "json", "import", "orders", path, "--as", buyer])
        let message = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["error"]?["message"]?.text ?? ""
        XCTAssertTrue(message.contains("row 4: order IMP-1 is for supplier S1 on its first row (row 2), not S2"), message)
        XCTAssertTrue(message.contains("row 5: order IMP-1 is dated 2026-11-02 on its first row (row 2), not 2026-11-03"), message)
        XCTAssertFalse(message.contains("row 2:") || message.contains("row 3:"), message)
    }

    func testProgressOnATerminalDoesNotSitAtOneHundredPercentWhileTheRowsAreApplied() throws {
        var text = "number,supplier,date,sku,qty,price\n"
        for order in 1...300 { text += "BULK-\(order),S1,2026-11-02,A,1,\nBULK-\(order),S1,2026-11-02,B,2,\n" }
        let path = try write(text)
        let run = try ProcureBinary.startOnTerminal(["--db", conninfo, "import", "orders", path, "--as", buyer])
        let shown = run.terminal.read(until: "done", timeout: 60)
        XCTAssertEqual(run.process.wait(timeout: 30), .exited(0), run.terminal.shown)
        XCTAssertTrue(shown.contains("import: reading ["), shown)
        let applying = try XCTUnwrap(shown.range(of: "read 600 rows; checking and writing them…"), shown)
        XCTAssertTrue(shown[..<applying.lowerBound].contains("100%"), "the reading bar ends before the rows are applied: \(shown)")
        XCTAssertFalse(shown[applying.lowerBound...].contains("100%"), shown)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.orders").first?["n"], "300")
    }
}
