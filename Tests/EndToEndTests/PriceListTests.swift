import Postgres
import TestSupport
import XCTest

/// The price list is effective-dated: a new period wins over what it overlaps, splitting a
/// longer period so that the old price resumes after it, and trimming the neighbours it
/// overlaps at either end.
final class PriceListTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()     // A: 10.0000 from 2026-01-01, open-ended
    }

    /// (from, to, price) of every period of item A, in date order.
    func periods(on date: String? = nil) throws -> [[String]] {
        let list = try json(["price", "list", "S1"] + (date.map { ["--on", $0] } ?? []))
        return (list.arrayValue ?? []).filter { $0["sku"]?.text == "A" }.map {
            [$0["from"]?.text ?? "", $0["to"]?.text ?? "", $0["price"]?.text ?? ""]
        }
    }

    func testATemporaryPriceSplitsTheOpenEndedOneAndTheOldPriceResumes() throws {
        let set = try json(["price", "set", "S1", "A", "12", "--from", "2026-06-01", "--to", "2026-06-30"])
        XCTAssertEqual(set["from"]?.text, "2026-06-01")
        XCTAssertEqual(set["to"]?.text, "2026-06-30")
        let changes = (set["adjusted"]?.arrayValue ?? []).map { [$0["change"]?.text ?? "", $0["from"]?.text ?? "", $0["to"]?.text ?? ""] }
        XCTAssertEqual(changes, [["ends earlier", "2026-01-01", "2026-05-31"], ["resumes", "2026-07-01", ""]])
        XCTAssertEqual(try periods(), [
            ["2026-01-01", "2026-05-31", "10.0000"], ["2026-06-01", "2026-06-30", "12.0000"], ["2026-07-01", "", "10.0000"],
        ])
        XCTAssertEqual(try periods(on: "2026-05-31"), [["2026-01-01", "2026-05-31", "10.0000"]])
        XCTAssertEqual(try periods(on: "2026-06-15"), [["2026-06-01", "2026-06-30", "12.0000"]])
        XCTAssertEqual(try periods(on: "2027-03-01"), [["2026-07-01", "", "10.0000"]])
        // orders after the temporary price still find the base price
        let july = try json(["po", "create", "S1", "--date", "2026-07-01", "A:1", "--as", buyer])
        XCTAssertEqual(july["lines"]?.arrayValue?.first?["price"]?.text, "10.0000")
        let june = try json(["po", "create", "S1", "--date", "2026-06-30", "A:1", "--as", buyer])
        XCTAssertEqual(june["lines"]?.arrayValue?.first?["price"]?.text, "12.0000")
    }

    func testOverlappingEditsTrimTheNeighboursAtEitherEndAndReplaceWhatTheyCover() throws {
        _ = try json(["price", "set", "S1", "A", "12", "--from", "2026-06-01", "--to", "2026-06-30"])
        // over the end of the June price and the start of the resumed one
        _ = try json(["price", "set", "S1", "A", "11", "--from", "2026-06-15", "--to", "2026-07-10"])
        XCTAssertEqual(try periods(), [
            ["2026-01-01", "2026-05-31", "10.0000"], ["2026-06-01", "2026-06-14", "12.0000"],
            ["2026-06-15", "2026-07-10", "11.0000"], ["2026-07-11", "", "10.0000"],
        ])
        // a period covering two others whole replaces them
        let set = try json(["price", "set", "S1", "A", "9", "--from", "2026-06-01", "--to", "2026-07-10"])
        XCTAssertEqual((set["adjusted"]?.arrayValue ?? []).map { $0["change"]?.text ?? "" }, ["replaced", "replaced"])
        XCTAssertEqual(try periods(), [
            ["2026-01-01", "2026-05-31", "10.0000"], ["2026-06-01", "2026-07-10", "9.0000"], ["2026-07-11", "", "10.0000"],
        ])
        // the same start as an open-ended period: it starts later, the old price resumes
        _ = try json(["price", "set", "S1", "A", "8", "--from", "2026-07-11", "--to", "2026-07-31"])
        XCTAssertEqual(try periods(on: "2026-08-01"), [["2026-08-01", "", "10.0000"]])
        // every change is in the price list's audit chain
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.audit_entries WHERE chain = 'prices:S1' AND op = 'DELETE'").first?["n"], "2")
    }

    func testAZeroOrNegativeBasePriceIsRefusedInWords() throws {
        let run = try procure(["price", "set", "S1", "A", "0", "--from", "2027-01-01"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("invalid_argument: base price of S1/A: 0 must be above zero"), run.stderr)
        XCTAssertEqual(try periods(on: "2027-01-02"), [["2026-01-01", "", "10.0000"]], "nothing half-written")
    }

    func testTableOutputOfPriceSetReadsFromBeforeTo() throws {
        let run = try procure(["price", "set", "S1", "A", "12", "--from", "2026-06-01", "--to", "2026-06-30"])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let from = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("from ") })
        let to = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("to ") })
        XCTAssertLessThan(from, to, run.stdout)
    }
}
