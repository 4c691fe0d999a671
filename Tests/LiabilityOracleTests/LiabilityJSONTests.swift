import Foundation
import LiabilityOracle
import XCTest

/// The calculator's JSON contract: snake_case keys, decimals as strings.
final class LiabilityJSONTests: XCTestCase {
    private let sample = """
        {"regime":"cost","currency":"CNY","profit_rate":"10","schedule":{"acknowledged":"5","materials":"25","production":"50","finished":"100"},
         "acknowledged":true,"settlement":"0.00","payments":"100.00",
         "lines":[{"line":1,"sku":"A","price":"10.0000","ordered":"100","delivered":"0",
                   "report":null}],
         "replacement":[{"sku":"A","quantity":"50"}]}
        """

    func testDecodesTheSampleInput() throws {
        let input = try JSONDecoder().decode(LiabilityInput.self, from: Data(sample.utf8))
        XCTAssertEqual(input, LiabilityInput(
            regime: .cost, currency: "CNY", profitRate: dec("10"),
            schedule: ["acknowledged": dec("5"), "materials": dec("25"), "production": dec("50"),
                       "finished": dec("100")],
            acknowledged: true, settlement: dec("0"), payments: dec("100"),
            lines: [orderLine(1, "A", price: "10", ordered: "100")],
            replacement: [replace("A", "50")]))
    }

    func testMissingReportKeysAreZero() throws {
        let json = #"{"regime":"cost","lines":[{"line":2,"sku":"B","price":"3","ordered":"4","report":{"finished":"1"}}]}"#
        let input = try JSONDecoder().decode(LiabilityInput.self, from: Data(json.utf8))
        XCTAssertEqual(input.lines, [orderLine(2, "B", price: "3", ordered: "4",
                                               report: productionReport(finished: "1"))])
        XCTAssertEqual(input.payments, .zero)
        XCTAssertEqual(input.replacement, [])
    }

    func testRefusesJunkNumbers() {
        let json = #"{"regime":"cost","lines":[{"line":1,"sku":"A","price":"1e5","ordered":"4"}]}"#
        XCTAssertThrowsError(try JSONDecoder().decode(LiabilityInput.self, from: Data(json.utf8)))
    }

    func testEncodesTheSampleResult() throws {
        // The sample has no report: not in production. Q 50 takes 50 of the u = 100 not-started
        // units; t = 50; K = 50 × 10 = 500.00; total = −B = −100.00.
        let input = try JSONDecoder().decode(LiabilityInput.self, from: Data(sample.utf8))
        let data = try JSONEncoder().encode(LiabilityCalculator.compute(input))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])

        XCTAssertEqual(Set(object.keys), [
            "regime", "currency", "finished", "costs", "profit", "cap", "capped", "saved", "settlement",
            "credits", "payments", "total", "scheduled", "in_production", "lines",
        ])
        XCTAssertEqual(object["regime"] as? String, "cost")
        XCTAssertEqual(object["currency"] as? String, "CNY")
        XCTAssertEqual(object["cap"] as? String, "500.00")
        XCTAssertEqual(object["payments"] as? String, "100.00")
        XCTAssertEqual(object["total"] as? String, "-100.00")
        XCTAssertEqual(object["finished"] as? String, "0.00")
        XCTAssertEqual(object["capped"] as? Bool, false)
        XCTAssertEqual(object["in_production"] as? Bool, false)

        let lines = try XCTUnwrap(object["lines"] as? [[String: Any]])
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(Set(lines[0].keys), [
            "line", "sku", "stage", "reused_finished", "reused_in_progress", "reused_not_started", "terminated",
        ])
        XCTAssertEqual(lines[0]["line"] as? Int, 1)
        XCTAssertEqual(lines[0]["stage"] as? String, "acknowledged")
        XCTAssertEqual(lines[0]["reused_not_started"] as? String, "50")
        XCTAssertEqual(lines[0]["reused_finished"] as? String, "0")
        XCTAssertEqual(lines[0]["terminated"] as? String, "50")
    }

    func testResultRoundTrips() throws {
        let input = try JSONDecoder().decode(LiabilityInput.self, from: Data(sample.utf8))
        let result = LiabilityCalculator.compute(input)
        let decoded = try JSONDecoder().decode(LiabilityResult.self, from: JSONEncoder().encode(result))
        XCTAssertEqual(decoded, result)
    }
}
