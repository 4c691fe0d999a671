import Postgres
import TestSupport
import XCTest

/// Errors a person can read: no PostgreSQL internals, negative numbers said to be negative,
/// no order number that was never created, usage errors in the form of every error, and an
/// unknown verb with the nearest one.
final class ErrorWordsTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
    }

    /// Runs a one-shot command that must fail; returns its stderr line.
    func failure(_ arguments: [String], status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let run = try procure(arguments)
        XCTAssertEqual(run.status, status, "\(arguments): \(run.stdout) \(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
        for raw in ["violates", "Failing row", "constraint", "_key", "_check", "procure.", "COPY", "function"] {
            XCTAssertFalse(run.stderr.contains(raw), "\(arguments) shows \(raw): \(run.stderr)", file: file, line: line)
        }
        return run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testMistakesOfANewcomerReadInWords() throws {
        XCTAssertEqual(try failure(["supplier", "add", "S1", "--name", "Again"]), "line 1: already_exists: supplier S1 already exists")
        XCTAssertEqual(try failure(["supplier", "add", "S 2", "--name", "Space"]),
                       "line 1: invalid_argument: a supplier code is one word: not empty, no spaces")
        XCTAssertEqual(try failure(["item", "add", "A", "--name", "Again"]), "line 1: already_exists: item A already exists")
        XCTAssertEqual(try failure(["item", "add", "X:1", "--name", "Colon"]),
                       "line 1: invalid_argument: a SKU is one word: not empty, no spaces, no ':' or '@'")
        _ = try json(["po", "create", "S1", "--number", "PO-1", "A:1", "--as", buyer])
        XCTAssertEqual(try failure(["po", "create", "S1", "--number", "PO-1", "A:1", "--as", buyer]),
                       "line 1: already_exists: order PO-1 already exists")
        _ = try json(["po", "issue", "PO-1", "--as", buyer])
        XCTAssertEqual(try failure(["po", "pay", "PO-1", "5", "--as", buyer]),
                       "line 1: permission_denied: your role may not do this: advance payments are recorded by finance")
        XCTAssertEqual(try failure(["supplier", "add", "S9", "--name", "N", "--as", buyer]),
                       "line 1: permission_denied: your role may not do this: adding suppliers is for admins")
    }

    func testACSVWithAnExtraColumnNamesTheRow() throws {
        let path = NSTemporaryDirectory() + "extra-\(UInt32.random(in: 0...UInt32.max)).csv"
        try "number,supplier,date,sku,qty,price\nI-1,S1,2026-03-01,A,1,\nI-2,S1,2026-03-01,A,1,,extra\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try failure(["import", "orders", path, "--as", buyer]),
                       "line 1: invalid_argument: \(path) row 3: more columns than the header")
    }

    func testANegativeNumberIsSaidToBeNegative() throws {
        _ = try json(["po", "create", "S1", "--number", "PO-1", "A:5", "--as", buyer])
        XCTAssertEqual(try failure(["po", "pay", "PO-1", "-50"], status: 2), "line 1: invalid_argument: amount: -50 is negative; it must be above zero")
        XCTAssertEqual(try failure(["po", "receive", "PO-1", "1", "-2.5"], status: 2),
                       "line 1: invalid_argument: qty: -2.5 is negative; it must be above zero")
        XCTAssertEqual(try failure(["correct", "PO-1", "--reason", "other", "--note", "x", "--settlement", "-5"], status: 2),
                       "line 1: invalid_argument: --settlement: -5 is negative; it must be above zero")
        let batch = try self.batch(["po pay PO-1 -50"])
        XCTAssertEqual(batch.objects.first?["error"]?["message"]?.text, "amount: -50 is negative; it must be above zero")
    }

    func testAFailedCreateNamesNoNumberAndTakesNone() throws {
        let above = try failure(["po", "create", "S1", "A:1@11", "--as", buyer])
        XCTAssertEqual(above, "line 1: price_above_base: the new order line 1 (A): price 11 is above the base price 10.0000 in force on \(try today())")
        XCTAssertFalse(above.contains("PO-0"), above)
        XCTAssertTrue(try failure(["po", "create", "S1", "A:1@0", "--as", buyer]).contains("the new order line 1 (A): a price must be above zero"))
        let created = try json(["po", "create", "S1", "A:1", "--as", buyer])
        XCTAssertEqual(created["number"]?.text, "PO-000001", "the failed attempts took no number")
    }

    func testAFailedReplacementIsNamedAsSuch() throws {
        _ = try batch([
            "po create S1 --number PO-1 A:5 --as \(buyer)", "po issue PO-1 --as \(buyer)",
        ])
        let message = try failure(["correct", "PO-1", "--reason", "wrong-price", "--note", "n", "--replace", "A:5@12", "--as", buyer])
        XCTAssertTrue(message.hasPrefix("line 1: price_above_base: the replacement of PO-1 line 1 (A): price 12 is above"), message)
        XCTAssertEqual(try sql("SELECT status FROM procure.orders WHERE number = 'PO-1'").first?["status"], "issued", "nothing half-written")
        let corrected = try json(["correct", "PO-1", "--reason", "wrong-price", "--note", "n", "--replace", "A:5", "--as", buyer])
        XCTAssertEqual(corrected["replacement"]?.text, "PO-1-R1")
    }

    func testUsageErrorsAreLineErrorsLikeEveryOther() throws {
        XCTAssertEqual(try failure(["--format", "xml", "po", "list"], status: 2),
                       "line 1: invalid_argument: The value 'xml' is invalid for '--format <table|json|csv>'. Please provide one of 'table', 'json' or 'csv'.")
        let json = try procure(["--format", "json", "--frobnicate"])
        XCTAssertEqual(json.status, 2)
        let object = try JSONParser.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["line"], .number("1"))
        XCTAssertEqual(object["error"]?["code"]?.text, "invalid_argument")
        XCTAssertTrue(try failure(["run", "/nonexistent/batch.txt"], status: 2).hasPrefix("line 1: invalid_argument: cannot open /nonexistent/batch.txt"))
    }

    func testAnUnknownVerbIsAnUnknownCommandWithTheNearestOne() throws {
        XCTAssertEqual(try failure(["po", "shwo", "PO-1"], status: 2), "line 1: invalid_argument: unknown command 'po shwo'; did you mean 'po show'?")
        XCTAssertEqual(try failure(["corect", "PO-1"], status: 2), "line 1: invalid_argument: unknown command 'corect'; did you mean 'correct'?")
        XCTAssertTrue(try failure(["po", "frobnicate"], status: 2)
            .hasPrefix("line 1: invalid_argument: unknown command 'po frobnicate'; po has: create, issue, ack"))
        let batch = try self.batch(["po shwo PO-1"])
        XCTAssertEqual(batch.objects.first?["error"]?["message"]?.text, "unknown command 'po shwo'; did you mean 'po show'?")
    }

    func today() throws -> String {
        try sql("SELECT current_date::text AS d").first?["d"] ?? ""
    }
}
