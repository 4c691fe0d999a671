import Postgres
import TestSupport
import XCTest

/// `po list`: newest order date first, the numbers of one date in natural order, bounded by
/// date and count.
final class OrderListTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        for (number, date) in [("PO-10", "2026-03-02"), ("PO-2", "2026-03-02"), ("PO-1", "2026-03-01"),
                               ("PO-9", "2026-02-15"), ("PO-11", "2026-03-02")] {
            _ = try json(["po", "create", "S1", "--number", number, "--date", date, "A:1", "--as", buyer])
        }
        _ = try json(["po", "issue", "PO-9", "--as", buyer])
    }

    private func numbers(_ flags: [String]) throws -> [String] {
        try json(["po", "list"] + flags).arrayValue?.compactMap { $0["number"]?.text } ?? []
    }

    func testNewestFirstAndNumbersInNaturalOrder() throws {
        XCTAssertEqual(try numbers([]), ["PO-2", "PO-10", "PO-11", "PO-1", "PO-9"])
        let first = try json(["po", "list"]).arrayValue?.first
        XCTAssertEqual(first?["date"]?.text, "2026-03-02")
        XCTAssertEqual(first?["total"]?.text, "10.00")
    }

    func testFromToLimitAndTheOtherFilters() throws {
        XCTAssertEqual(try numbers(["--from", "2026-03-01"]), ["PO-2", "PO-10", "PO-11", "PO-1"])
        XCTAssertEqual(try numbers(["--to", "2026-03-01"]), ["PO-1", "PO-9"])
        XCTAssertEqual(try numbers(["--from", "2026-02-16", "--to", "2026-03-01"]), ["PO-1"])
        XCTAssertEqual(try numbers(["--limit", "2"]), ["PO-2", "PO-10"])
        XCTAssertEqual(try numbers(["--status", "issued"]), ["PO-9"])
        XCTAssertEqual(try numbers(["--buyer", buyer, "--supplier", "S1", "--limit", "1"]), ["PO-2"])
        XCTAssertEqual(try numbers(["--buyer", "nobody"]), [])
    }

    func testBadBoundsAreRefusedInTheUsersWords() throws {
        XCTAssertEqual(try errorCode(["po", "list", "--limit", "0"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["po", "list", "--from", "2026-03-02", "--to", "2026-03-01"]), "invalid_argument")
        let badDate = try procure(["po", "list", "--from", "2026-3-1"])
        XCTAssertEqual(badDate.status, 2, badDate.stderr)
        XCTAssertTrue(badDate.stderr.contains("--from"), badDate.stderr)
    }
}
