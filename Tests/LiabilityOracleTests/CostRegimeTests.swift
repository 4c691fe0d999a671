import LiabilityOracle
import XCTest

/// Regime `cost`: total = min(A + C + P, K) + S − V − B, each part rounded to cents first.
final class CostRegimeTests: XCTestCase {
    private func cost(_ lines: [LiabilityLine], rate: String = "0", settlement: String = "0",
                      payments: String = "0", replacement: [ReplacementLine] = []) -> LiabilityResult {
        LiabilityCalculator.compute(LiabilityInput(
            regime: .cost, profitRate: dec(rate), acknowledged: true, settlement: dec(settlement),
            payments: dec(payments), lines: lines, replacement: replacement))
    }

    func testFinishedGoodsAlone() {
        // q 100 @ 10, f 30: A = 30 × 10 = 300.00; C = 0; K = 100 × 10 = 1000.00; total = 300.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100",
                                     report: productionReport(finished: "30"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts(["finished": "300.00", "cap": "1000.00", "total": "300.00"]))
        XCTAssertFalse(result.capped)
        XCTAssertTrue(result.inProduction)
    }

    func testWorkInProgressCostAlone() {
        // w 20, W 300, nothing reused: C = 300 × 20 / 20 = 300.00; K = 1000.00; total 300.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100",
                                     report: productionReport(inProgress: "20", wipCost: "300"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts(["costs": "300.00", "cap": "1000.00", "total": "300.00"]))
    }

    func testMaterialsAlone() {
        // u = 100, M 100: C = 100 × 100 / 100 = 100.00; total 100.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100",
                                     report: productionReport(materials: "100"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts(["costs": "100.00", "cap": "1000.00", "total": "100.00"]))
    }

    func testProfitOnCostsOnly() {
        // f 10 (A = 100.00), W 300 over w 20 (C = 300.00), rate 12.5: P = 0.125 × 300.00 = 37.50,
        // not on A. total = 100 + 300 + 37.50 = 437.50.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100",
                                     report: productionReport(finished: "10", inProgress: "20", wipCost: "300"))],
                          rate: "12.5")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "finished": "100.00", "costs": "300.00", "profit": "37.50", "cap": "1000.00", "total": "437.50",
        ]))
    }

    func testSettlementAlone() {
        // M 100 → C = 100.00; S = 200.00; total = 100 + 200 = 300.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100", report: productionReport(materials: "100"))],
                          settlement: "200")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "100.00", "cap": "1000.00", "settlement": "200.00", "total": "300.00",
        ]))
    }

    func testSalvageCreditAlone() {
        // M 100 → C = 100.00; V = 30.00; total = 100 − 30 = 70.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100",
                                     report: productionReport(materials: "100", salvage: "30"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "100.00", "cap": "1000.00", "credits": "30.00", "total": "70.00",
        ]))
    }

    func testPaymentsGiveANegativeTotal() {
        // M 100 → C = 100.00; B = 500.00; total = 100 − 500 = −400.00: the supplier refunds 400.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100", report: productionReport(materials: "100"))],
                          payments: "500")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "100.00", "cap": "1000.00", "payments": "500.00", "total": "-400.00",
        ]))
    }

    func testAllTermsTogether() {
        // q 50 @ 20, f 10, w 10, W 100, M 50, V 5 → u = 50 − 10 − 10 = 30; rate 10, S 15, B 100.
        // A = 10 × 20 = 200.00; C = 100 × 10/10 + 50 × 30/30 = 150.00; P = 0.10 × 150 = 15.00;
        // K = 50 × 20 = 1000.00; A + C + P = 365.00 ≤ K;
        // total = 365.00 + 15.00 − 5.00 − 100.00 = 275.00.
        let result = cost([orderLine(1, "A", price: "20", ordered: "50", report: productionReport(
                              finished: "10", inProgress: "10", wipCost: "100", materials: "50", salvage: "5"))],
                          rate: "10", settlement: "15", payments: "100")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "finished": "200.00", "costs": "150.00", "profit": "15.00", "cap": "1000.00",
            "settlement": "15.00", "credits": "5.00", "payments": "100.00", "total": "275.00",
        ]))
        XCTAssertFalse(result.capped)
    }

    func testReuseReducesEveryTerm() {
        // q 100 @ 10, f 30, w 20 (W 300), u 50 (M 100); Q = 60 → rf 30, rw 20, ru 10.
        // A = (30 − 30) × 10 = 0.00; C = 300 × 0/20 + 100 × 40/50 = 80.00;
        // K = (100 − 60) × 10 = 400.00; total = 80.00.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100", report: productionReport(
                              finished: "30", inProgress: "20", wipCost: "300", materials: "100"))],
                          replacement: [replace("A", "60")])
        XCTAssertEqual(amountTexts(result), expectedAmounts(["costs": "80.00", "cap": "400.00", "total": "80.00"]))
    }

    func testWipCostCountsWholeWhenNothingInProgress() {
        // w = 0 with W 80 (cost spent, no unit counted in progress): C = 80.00 whole.
        let result = cost([orderLine(1, "A", price: "10", ordered: "100", report: productionReport(wipCost: "80"))])
        XCTAssertEqual(money(result.costs), "80.00")
        XCTAssertEqual(money(result.total), "80.00")
    }

    func testMaterialsCountWholeWhenNothingLeftToStart() {
        // q 20 @ 100, f 10, w 10 → u = 0; W 100, M 40. A = 10 × 100 = 1000.00;
        // C = 100 × 10/10 + 40 (whole, u = 0) = 140.00; K = 20 × 100 = 2000.00; total = 1140.00.
        let result = cost([orderLine(1, "A", price: "100", ordered: "20", report: productionReport(
                              finished: "10", inProgress: "10", wipCost: "100", materials: "40"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "finished": "1000.00", "costs": "140.00", "cap": "2000.00", "total": "1140.00",
        ]))
    }

    func testCapApplies() {
        // q 10 @ 5, w 10, W 200, rate 10: C = 200.00, P = 20.00, A + C + P = 220.00 > K = 50.00
        // → capped, total = 50.00 − B 10.00 = 40.00.
        let result = cost([orderLine(1, "A", price: "5", ordered: "10",
                                     report: productionReport(inProgress: "10", wipCost: "200"))],
                          rate: "10", payments: "10")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "200.00", "profit": "20.00", "cap": "50.00", "payments": "10.00", "total": "40.00",
        ]))
        XCTAssertTrue(result.capped)
    }

    func testCapReachedExactlyIsNotCapped() {
        // q 10 @ 5, w 10, W 50: C = 50.00 = K = 50.00 → not above K, capped = false, total 50.00.
        let result = cost([orderLine(1, "A", price: "5", ordered: "10",
                                     report: productionReport(inProgress: "10", wipCost: "50"))])
        XCTAssertEqual(money(result.total), "50.00")
        XCTAssertFalse(result.capped)
    }

    func testHalfCentInAPartRoundsUpAndProfitUsesRoundedCosts() {
        // q 10 @ 1, w 2, W 0.01, Q 1 → rw 1. C = 0.01 × 1/2 = 0.005 → 0.01.
        // rate 50: P = 0.5 × 0.01 (rounded C) = 0.005 → 0.01 (0.5 × 0.005 = 0.0025 would give 0.00).
        // K = (10 − 1) × 1 = 9.00. B 0.005 → 0.01. total = 0.01 + 0.01 − 0.01 = 0.01.
        let result = cost([orderLine(1, "A", price: "1", ordered: "10",
                                     report: productionReport(inProgress: "2", wipCost: "0.01"))],
                          rate: "50", payments: "0.005", replacement: [replace("A", "1")])
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "costs": "0.01", "profit": "0.01", "cap": "9.00", "payments": "0.01", "total": "0.01",
        ]))
    }

    func testHalfCentInFinishedGoodsAndCap() {
        // f 1 @ 0.0050 → A = 0.005 → 0.01; q 1 → K = 1 × 0.0050 = 0.005 → 0.01; total 0.01.
        let result = cost([orderLine(1, "A", price: "0.0050", ordered: "1", report: productionReport(finished: "1"))])
        XCTAssertEqual(money(result.finished), "0.01")
        XCTAssertEqual(money(result.cap), "0.01")
        XCTAssertEqual(money(result.total), "0.01")
        XCTAssertFalse(result.capped)
    }

    func testFourDecimalPriceTimesThreeDecimalQuantity() {
        // f 2.5 @ 12.3456 = 30.864 → A = 30.86; q 2.5 → K = 30.86; total 30.86.
        let result = cost([orderLine(1, "A", price: "12.3456", ordered: "2.5",
                                     report: productionReport(finished: "2.5"))])
        XCTAssertEqual(money(result.finished), "30.86")
        XCTAssertEqual(money(result.cap), "30.86")
        XCTAssertEqual(money(result.total), "30.86")
    }

    func testRoundingOfSumNotOfEachLine() {
        // Two lines each f 1 @ 0.0050: A = round2(0.005 + 0.005) = 0.01, not 0.01 + 0.01.
        let result = cost([
            orderLine(1, "A", price: "0.0050", ordered: "1", report: productionReport(finished: "1")),
            orderLine(2, "A", price: "0.0050", ordered: "1", report: productionReport(finished: "1")),
        ])
        XCTAssertEqual(money(result.finished), "0.01")
    }
}
