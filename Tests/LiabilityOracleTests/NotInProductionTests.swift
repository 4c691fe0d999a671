import Foundation
import LiabilityOracle
import XCTest

/// No counting report shows production started → total = −B whatever the regime.
final class NotInProductionTests: XCTestCase {
    private func compute(_ regime: Regime, _ lines: [LiabilityLine], settlement: String = "0",
                         payments: String = "0") -> LiabilityResult {
        LiabilityCalculator.compute(LiabilityInput(
            regime: regime, profitRate: dec("10"), schedule: ["acknowledged": dec("5")],
            acknowledged: true, settlement: dec(settlement), payments: dec(payments), lines: lines))
    }

    func testNoReportRefundsPaymentsAndIgnoresSettlement() {
        // q 100 @ 10, no report; S 200 (ignored), B 100: total = −100.00; K = 1000.00 still shown.
        let result = compute(.cost, [orderLine(1, "A", price: "10", ordered: "100")],
                             settlement: "200", payments: "100")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "cap": "1000.00", "payments": "100.00", "total": "-100.00",
        ]))
        XCTAssertFalse(result.inProduction)
        XCTAssertFalse(result.capped)
    }

    func testEveryRegime() {
        // schedule would give 5 % × 1000 = 50.00 at `acknowledged`, expectation 1000.00: neither
        // counts; total = −B = −40.00.
        for regime in Regime.allCases {
            let result = compute(regime, [orderLine(1, "A", price: "10", ordered: "100")], payments: "40")
            XCTAssertEqual(money(result.total), "-40.00", regime.rawValue)
            XCTAssertEqual(money(result.scheduled), "0.00", regime.rawValue)
            XCTAssertFalse(result.inProduction, regime.rawValue)
        }
    }

    func testSalvageOrEstimateAloneIsNotProduction() {
        // V 30 and E 500 without f, w, W, M or a stage: nothing produced; total = −B = 0.00.
        let result = compute(.cost, [orderLine(1, "A", price: "10", ordered: "100", report: productionReport(
                                 stage: .acknowledged, salvage: "30", costToComplete: "500"))])
        XCTAssertFalse(result.inProduction)
        XCTAssertEqual(money(result.credits), "0.00")
        XCTAssertEqual(money(result.total), "0.00")  // "0.00", not "-0.00"
    }

    func testMaterialsStageAloneIsProduction() {
        // stage materials with every number 0: in production, cost parts all 0.00;
        // total = 0 + S 200 − B 100 = 100.00.
        let result = compute(.cost, [orderLine(1, "A", price: "10", ordered: "100",
                                               report: productionReport(stage: .materials))],
                             settlement: "200", payments: "100")
        XCTAssertTrue(result.inProduction)
        XCTAssertEqual(money(result.total), "100.00")
    }

    func testOneLineInProductionIsEnough() {
        // Line 2 has W 1: the order is in production, so the cost regime runs (rate 10):
        // C = 1.00 (w = 0 → W whole), P = 0.10 × 1.00 = 0.10, K = 100 × 10 + 5 × 2 = 1010.00;
        // total = 1.00 + 0.10 − B 100.00 = −98.90.
        let result = compute(.cost, [
            orderLine(1, "A", price: "10", ordered: "100"),
            orderLine(2, "B", price: "2", ordered: "5", report: productionReport(wipCost: "1")),
        ], payments: "100")
        XCTAssertTrue(result.inProduction)
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "1.00", "profit": "0.10", "cap": "1010.00", "payments": "100.00", "total": "-98.90",
        ]))
    }
}
