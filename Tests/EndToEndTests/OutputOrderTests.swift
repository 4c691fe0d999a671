import Postgres
import TestSupport
import XCTest

/// Reading the output: fields in a meaningful order, nested lists as tables of their own,
/// numbers right-aligned, a batch's results set apart, one way to print a value and a time,
/// and a dry run marked as one.
final class OutputOrderTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        _ = try batch(["po create S1 --number PO-1 A:10 B:2@24.5 --as \(buyer)", "po issue PO-1 --as \(buyer)"])
    }

    /// The field names of a `field  value` block, in order (nested sections by their heading).
    func fields(_ text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }
            .compactMap { $0.split(separator: " ").first.map { String($0).replacingOccurrences(of: ":", with: "") } }
    }

    func testPoShowStartsWithItsIdentityThenDatesThenFigures() throws {
        let show = try procure(["po", "show", "PO-1"]).stdout
        let names = fields(show)
        XCTAssertEqual(Array(names.prefix(6)), ["number", "status", "supplier", "supplier_name", "buyer", "replaces"], show)
        for (earlier, later) in [("buyer", "date"), ("date", "total"), ("issued_at", "total"), ("total", "paid"), ("paid", "lines")] {
            XCTAssertLessThan(try XCTUnwrap(names.firstIndex(of: earlier)), try XCTUnwrap(names.firstIndex(of: later)), "\(earlier) before \(later): \(show)")
        }
        XCTAssertTrue(show.contains("payments: (none)"), show)
        // lines: a table of their own, numbers right-aligned under their header
        let lines = show.components(separatedBy: "lines:\n")[1].split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0].split(separator: " ").map(String.init), ["line", "sku", "item", "uom", "qty", "price", "base_price", "amount", "delivered"])
        // the rule under the header spans each column: a number ends where its column ends
        let rule = Array(lines[1])
        let ends = rule.indices.filter { rule[$0] == "-" && ($0 + 1 == rule.count || rule[$0 + 1] == " ") }
        let priceEnd = ends[5] + 1, qtyEnd = ends[4] + 1
        XCTAssertTrue(lines[2].prefix(priceEnd).hasSuffix(" 10.0000"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines[3].prefix(priceEnd).hasSuffix(" 24.5000"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines[2].prefix(qtyEnd).hasSuffix(" 10"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines[3].prefix(qtyEnd).hasSuffix("  2"), lines.joined(separator: "\n"))
        // a figure is right-aligned among the figures of the block
        let total = try XCTUnwrap(show.split(separator: "\n").first { $0.hasPrefix("total") })
        let paid = try XCTUnwrap(show.split(separator: "\n").first { $0.hasPrefix("paid") })
        XCTAssertEqual(total.count, paid.count, show)
    }

    func testACorrectionIsASectionAndTheLiabilityLeadsWithItsIdentity() throws {
        let run = try procure(["correct", "PO-1", "--reason", "other", "--note", "typo", "--as", buyer])
        let names = fields(run.stdout)
        XCTAssertEqual(Array(names.prefix(5)), ["dry_run", "order", "status", "supplier", "buyer"], run.stdout)
        XCTAssertLessThan(try XCTUnwrap(names.firstIndex(of: "revoked_at")), try XCTUnwrap(names.firstIndex(of: "total")))
        XCTAssertTrue(run.stdout.contains("correction:\n  "), run.stdout)
        XCTAssertFalse(run.stdout.contains("{\""), "no JSON blob in a table: \(run.stdout)")
        let show = try procure(["po", "show", "PO-1"]).stdout
        XCTAssertTrue(show.contains("correction:\n  "), show)
        XCTAssertTrue(show.contains("\n  reason "), show)
    }

    func testABatchInTableModeSetsItsResultsApart() throws {
        let run = try procure([], stdin: "po show PO-1\nliability list\nprice list S1\n")
        let blocks = run.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(blocks.count, 3, run.stdout)
        XCTAssertTrue(blocks[0].hasPrefix("number"), run.stdout)
        XCTAssertTrue(blocks[2].hasPrefix("supplier") || blocks[2].hasPrefix("sku"), run.stdout)
    }

    func testHistoryAndPoShowPrintTheSameValueTheSameWay() throws {
        let show = try json(["po", "show", "PO-1"])
        let history = try json(["history", "PO-1"]).arrayValue ?? []
        let line1 = try XCTUnwrap(history.first { $0["entity"]?.text == "PO-1 line 1" })
        XCTAssertTrue(line1["changes"]?.text?.contains("qty=10;") ?? false, line1.serialized)
        XCTAssertTrue(line1["changes"]?.text?.contains("price=10.0000") ?? false, line1.serialized)
        XCTAssertEqual(show["lines"]?.arrayValue?.first?["qty"]?.text, "10")
        XCTAssertEqual(show["lines"]?.arrayValue?.first?["price"]?.text, "10.0000")
        // one timestamp style: six digits of fraction and the zone, in both
        let table = try procure(["po", "show", "PO-1"]).stdout + (try procure(["history", "PO-1"]).stdout)
        let times = table.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" || $0 == "=" })
            .filter { $0.count > 19 && $0.dropFirst(10).first == "T" }
        XCTAssertGreaterThan(times.count, 3)
        for time in times {
            XCTAssertEqual(time.count, 32, "\(time) is not YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM")
        }
    }

    func testADryRunIsMarkedAndNamesNoCorrectionThatDoesNotExist() throws {
        let dry = try json(["correct", "PO-1", "--reason", "other", "--note", "typo", "--replace", "A:5", "--dry-run", "--as", buyer])
        XCTAssertEqual(dry["dry_run"], .bool(true))
        XCTAssertNil(dry["correction_id"], dry.serialized)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.corrections").first?["n"], "0")
        let table = try procure(["correct", "PO-1", "--reason", "other", "--note", "typo", "--dry-run", "--as", buyer]).stdout
        XCTAssertEqual(table.split(separator: "\n").first?.split(separator: " "), ["dry_run", "true"], table)
        let real = try json(["correct", "PO-1", "--reason", "other", "--note", "typo", "--replace", "A:5", "--as", buyer])
        XCTAssertEqual(real["dry_run"], .bool(false))
        XCTAssertEqual(real["replacement"]?.text, dry["replacement"]?.text, "the dry run showed the number the real run took")
        XCTAssertNotNil(real["correction_id"])
    }
}
