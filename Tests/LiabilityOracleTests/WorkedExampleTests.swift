import Foundation
import LiabilityOracle
import XCTest

/// Reproduces, figure by figure, the worked example of docs/liability.md.
final class WorkedExampleTests: XCTestCase {
    /// PO-1 to S1 (regime cost, profit rate 10 %): A:100@10, A:60@9.5, B:40@25; acknowledged;
    /// 500.00 paid in advance; reports on line 1 (f 30, w 20, W 300, M 100, V 50) and line 3
    /// (f 8); corrected with a replacement A:40 to S1 and a settlement of 200.00.
    private let input = LiabilityInput(
        regime: .cost, currency: "CNY", profitRate: dec("10"), acknowledged: true,
        settlement: dec("200"), payments: dec("500"),
        lines: [
            orderLine(1, "A", price: "10.0000", ordered: "100", report: productionReport(
                finished: "30", inProgress: "20", wipCost: "300", materials: "100", salvage: "50")),
            orderLine(2, "A", price: "9.5000", ordered: "60"),
            orderLine(3, "B", price: "25.0000", ordered: "40", report: productionReport(finished: "8")),
        ],
        replacement: [replace("A", "40")])

    func testReuse() {
        // Q(A) = 40: finished tier line 1 f 30 → 30 (10 left), line 2 f 0;
        // in-progress tier line 1 w 20 → 10 (0 left). B is not in the replacement.
        // t1 = 100 − 30 − 10 = 60; t2 = 60; t3 = 40.
        let lines = LiabilityCalculator.compute(input).lines
        XCTAssertEqual(lines, [
            LiabilityLineResult(line: 1, sku: "A", stage: .production, reusedFinished: dec("30"),
                                reusedInProgress: dec("10"), reusedNotStarted: .zero, terminated: dec("60")),
            LiabilityLineResult(line: 2, sku: "A", stage: .acknowledged, reusedFinished: .zero,
                                reusedInProgress: .zero, reusedNotStarted: .zero, terminated: dec("60")),
            LiabilityLineResult(line: 3, sku: "B", stage: .production, reusedFinished: .zero,
                                reusedInProgress: .zero, reusedNotStarted: .zero, terminated: dec("40")),
        ])
    }

    func testAmounts() {
        // A = (30 − 30) × 10 + 0 × 9.5 + (8 − 0) × 25 = 200.00
        // C = 300 × (20 − 10)/20 + 100 × (50 − 0)/50 = 150 + 100 = 250.00 (lines 2, 3: nothing)
        // P = 10 % × 250.00 = 25.00
        // K = 60 × 10 + 60 × 9.5 + 40 × 25 = 600 + 570 + 1000 = 2170.00
        // A + C + P = 475.00 ≤ K → not capped
        // total = 475.00 + S 200.00 − V 50.00 − B 500.00 = 125.00
        let result = LiabilityCalculator.compute(input)
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "finished": "200.00", "costs": "250.00", "profit": "25.00", "cap": "2170.00",
            "settlement": "200.00", "credits": "50.00", "payments": "500.00", "total": "125.00",
        ]))
        XCTAssertFalse(result.capped)
        XCTAssertTrue(result.inProduction)
    }

    func testDocumentedJSON() throws {
        // The ```json block under "### The result" in docs/liability.md, compared as parsed objects,
        // so the page cannot drift from the code.
        let encoded = try JSONEncoder().encode(LiabilityCalculator.compute(input))
        let actual = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        let expected = try JSONSerialization.jsonObject(with: Data(try documentedJSON().utf8)) as? NSDictionary
        XCTAssertNotNil(expected)
        XCTAssertEqual(actual, expected)
    }

    private func documentedJSON() throws -> String {
        let doc = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/liability.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let result = try XCTUnwrap(text.range(of: "### The result"))
        let open = try XCTUnwrap(text.range(of: "```json\n", range: result.upperBound..<text.endIndex))
        let close = try XCTUnwrap(text.range(of: "\n```", range: open.upperBound..<text.endIndex))
        return String(text[open.upperBound..<close.lowerBound])
    }
}
