import LiabilityOracle
import XCTest

/// Regime `expectation`: total = max(0, K − E′ − V) + S − B.
final class ExpectationRegimeTests: XCTestCase {
    private func expectation(_ lines: [LiabilityLine], settlement: String = "0", payments: String = "0",
                             replacement: [ReplacementLine] = []) -> LiabilityResult {
        LiabilityCalculator.compute(LiabilityInput(
            regime: .expectation, acknowledged: true, settlement: dec(settlement),
            payments: dec(payments), lines: lines, replacement: replacement))
    }

    func testWithReuse() {
        // q 100 @ 10, f 20, w 30 → u 50; E 400. Q 40 → rf 20, rw 20, ru 0; t = 60.
        // K = 60 × 10 = 600.00; E′ = 400 × ((30 − 20) + (50 − 0)) / (30 + 50) = 400 × 60/80 = 300.00.
        // total = max(0, 600 − 300 − 0) + S 10 − B 100 = 210.00.
        let result = expectation([orderLine(1, "A", price: "10", ordered: "100", report: productionReport(
                                     finished: "20", inProgress: "30", costToComplete: "400"))],
                                 settlement: "10", payments: "100", replacement: [replace("A", "40")])
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "cap": "600.00", "saved": "300.00", "settlement": "10.00", "payments": "100.00", "total": "210.00",
        ]))
        XCTAssertFalse(result.capped)
    }

    func testLossMakingOrderOwesNothingBeforeSettlementAndPayments() {
        // q 10 @ 10, w 10, E 150: K = 100.00, E′ = 150 × 10/10 = 150.00 → max(0, 100 − 150) = 0;
        // + S 20 − B 50 = −30.00.
        let result = expectation([orderLine(1, "A", price: "10", ordered: "10", report: productionReport(
                                     inProgress: "10", costToComplete: "150"))],
                                 settlement: "20", payments: "50")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "cap": "100.00", "saved": "150.00", "settlement": "20.00", "payments": "50.00", "total": "-30.00",
        ]))
    }

    func testSalvageAbovePriceFloorsAtZero() {
        // q 10 @ 10, M 5, V 500, E 0: K = 100.00, E′ = 0.00 → max(0, 100 − 0 − 500) = 0 → total 0.00.
        let result = expectation([orderLine(1, "A", price: "10", ordered: "10", report: productionReport(
                                     materials: "5", salvage: "500"))])
        XCTAssertEqual(amountTexts(result), expectedAmounts(["cap": "100.00", "credits": "500.00"]))
    }

    func testNothingUnfinishedSavesNothing() {
        // q 10 @ 10, f 10 → w + u = 0 → E′ = 0 even with E 30; total = 100.00.
        let result = expectation([orderLine(1, "A", price: "10", ordered: "10", report: productionReport(
                                     finished: "10", costToComplete: "30"))])
        XCTAssertEqual(money(result.saved), "0.00")
        XCTAssertEqual(money(result.total), "100.00")
    }

    func testSavedCostRoundsToCents() {
        // q 3 @ 10, w 3, E 1, Q 2 → rw 2: E′ = 1 × 1/3 = 0.333… → 0.33; K = 1 × 10 = 10.00.
        // total = 10.00 − 0.33 = 9.67.
        let result = expectation([orderLine(1, "A", price: "10", ordered: "3", report: productionReport(
                                     inProgress: "3", costToComplete: "1"))],
                                 replacement: [replace("A", "2")])
        XCTAssertEqual(money(result.saved), "0.33")
        XCTAssertEqual(money(result.total), "9.67")
    }
}
