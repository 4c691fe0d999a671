import LiabilityOracle
import XCTest

/// Regime `schedule`: total = round2(Σ pct(stage) / 100 × t × p) − B.
final class ScheduleRegimeTests: XCTestCase {
    private let table = ["acknowledged": dec("5"), "materials": dec("25"), "production": dec("50"),
                         "finished": dec("100")]

    private func schedule(_ lines: [LiabilityLine], table: [String: ExactDecimal]? = nil,
                          acknowledged: Bool = true, settlement: String = "0", payments: String = "0",
                          replacement: [ReplacementLine] = []) -> LiabilityResult {
        LiabilityCalculator.compute(LiabilityInput(
            regime: .schedule, schedule: table ?? self.table, acknowledged: acknowledged,
            settlement: dec(settlement), payments: dec(payments), lines: lines, replacement: replacement))
    }

    func testStageGivenByTheReport() {
        // stage finished → 100 % × 10 × 10 = 100.00; B 30 → total 70.00.
        let result = schedule([orderLine(1, "A", price: "10", ordered: "10",
                                         report: productionReport(stage: .finished))], payments: "30")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "scheduled": "100.00", "cap": "100.00", "payments": "30.00", "total": "70.00",
        ]))
        XCTAssertEqual(result.lines.map(\.stage), [.finished])
        XCTAssertFalse(result.capped)
    }

    func testProductionDerivedFromFinishedUnits() {
        // no stage, f 10 → production, 50 % × 100 × 10 = 500.00.
        let result = schedule([orderLine(1, "A", price: "10", ordered: "100",
                                         report: productionReport(finished: "10"))])
        XCTAssertEqual(result.lines.map(\.stage), [.production])
        XCTAssertEqual(money(result.scheduled), "500.00")
        XCTAssertEqual(money(result.total), "500.00")
    }

    func testMaterialsDerivedFromMaterialsOnly() {
        // no stage, only M 40 → materials, 25 % × 100 × 10 = 250.00.
        let result = schedule([orderLine(1, "A", price: "10", ordered: "100",
                                         report: productionReport(materials: "40"))])
        XCTAssertEqual(result.lines.map(\.stage), [.materials])
        XCTAssertEqual(money(result.total), "250.00")
    }

    func testLineWithoutReportTakesTheOrderState() {
        // Line 1: M 10 → materials, 25 % × 10 × 10 = 25.00.
        // Line 2: no report, order acknowledged → acknowledged, 5 % × 20 × 5 = 5.00. total 30.00.
        let lines = [
            orderLine(1, "A", price: "10", ordered: "10", report: productionReport(materials: "10")),
            orderLine(2, "B", price: "5", ordered: "20"),
        ]
        let acknowledged = schedule(lines)
        XCTAssertEqual(acknowledged.lines.map(\.stage), [.materials, .acknowledged])
        XCTAssertEqual(money(acknowledged.total), "30.00")

        // Not acknowledged → line 2 is `issued`, missing from the table → 0 %: total 25.00.
        let issued = schedule(lines, acknowledged: false)
        XCTAssertEqual(issued.lines.map(\.stage), [.materials, .issued])
        XCTAssertEqual(money(issued.total), "25.00")
    }

    func testStageMissingFromTableIsZeroPercent() {
        // The table has no `materials`: a line at materials earns 0 % → 0.00; B 20 → total −20.00.
        let partial = ["production": dec("50")]
        let result = schedule([orderLine(1, "A", price: "10", ordered: "100",
                                         report: productionReport(materials: "40"))],
                              table: partial, payments: "20")
        XCTAssertEqual(amountTexts(result), expectedAmounts([
            "cap": "1000.00", "payments": "20.00", "total": "-20.00",
        ]))
        XCTAssertTrue(result.inProduction)
    }

    func testReuseLowersTheTerminatedQuantity() {
        // q 100 @ 10, f 30 → u 70; Q 40 → rf 30, ru 10; t = 60. production 50 % × 60 × 10 = 300.00.
        let result = schedule([orderLine(1, "A", price: "10", ordered: "100",
                                         report: productionReport(finished: "30"))],
                              replacement: [replace("A", "40")])
        XCTAssertEqual(money(result.scheduled), "300.00")
        XCTAssertEqual(money(result.cap), "600.00")
    }

    func testPartsTheRegimeDoesNotUseAreZero() {
        // S 99 and V 7 are ignored by this regime; stage production 50 % × 10 × 10 = 50.00.
        let result = schedule([orderLine(1, "A", price: "10", ordered: "10",
                                         report: productionReport(finished: "10", salvage: "7"))],
                              settlement: "99")
        XCTAssertEqual(amountTexts(result), expectedAmounts(["scheduled": "50.00", "cap": "100.00", "total": "50.00"]))
    }

    func testHalfCentRoundsUp() {
        // materials 5 % × t 1 × p 0.1 = 0.005 → 0.01.
        let result = schedule([orderLine(1, "A", price: "0.1", ordered: "1",
                                         report: productionReport(stage: .materials))],
                              table: ["materials": dec("5")])
        XCTAssertEqual(money(result.scheduled), "0.01")
        XCTAssertEqual(money(result.total), "0.01")
    }
}
