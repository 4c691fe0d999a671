import LiabilityOracle
import XCTest

/// Reuse by the replacement (SPEC §8): per item, finished → in-progress → not-started, and within
/// a tier the revoked lines in ascending line number.
final class ReuseTests: XCTestCase {
    private func allocate(_ lines: [LiabilityLine], _ replacement: [ReplacementLine]) -> [Reuse] {
        let figures = lines.map { LineFigures($0, acknowledged: true) }
        return ReuseAllocation.allocate(lines: figures, replacement: replacement)
    }

    private func reuse(_ f: String, _ w: String, _ u: String) -> Reuse {
        Reuse(finished: dec(f), inProgress: dec(w), notStarted: dec(u))
    }

    private func terminated(_ input: LiabilityInput) -> [String] {
        LiabilityCalculator.compute(input).lines.map(\.terminated.description)
    }

    func testFinishedTierFirst() {
        // f = 30, Q = 20 → rf = 20 (finished units cover it all), rw = ru = 0.
        let lines = [orderLine(1, "A", price: "10", ordered: "100",
                               report: productionReport(finished: "30", inProgress: "20"))]
        XCTAssertEqual(allocate(lines, [replace("A", "20")]), [reuse("20", "0", "0")])
    }

    func testInProgressTierAfterFinished() {
        // f = 30, w = 20, Q = 40 → rf = 30, then rw = 40 − 30 = 10.
        let lines = [orderLine(1, "A", price: "10", ordered: "100",
                               report: productionReport(finished: "30", inProgress: "20"))]
        XCTAssertEqual(allocate(lines, [replace("A", "40")]), [reuse("30", "10", "0")])
    }

    func testNotStartedTierLast() {
        // q = 100, f = 30, w = 20 → u = 50. Q = 70 → rf = 30, rw = 20, ru = 70 − 50 = 20.
        // t = 100 − 0 − 30 − 20 − 20 = 30.
        let lines = [orderLine(1, "A", price: "10", ordered: "100",
                               report: productionReport(finished: "30", inProgress: "20"))]
        XCTAssertEqual(allocate(lines, [replace("A", "70")]), [reuse("30", "20", "20")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "70")])), ["30"])
    }

    func testReplacementBeyondTheOrderIsNewProduction() {
        // Q = 150 > f + w + u = 100: every unit is reused, the 50 extra are simply new; t = 0.
        let lines = [orderLine(1, "A", price: "10", ordered: "100",
                               report: productionReport(finished: "30", inProgress: "20"))]
        XCTAssertEqual(allocate(lines, [replace("A", "150")]), [reuse("30", "20", "50")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "150")])), ["0"])
    }

    func testSplitAcrossTwoLinesOfOneItem() {
        // Line 1: q 100, f 10, w 0 → u 90.  Line 2: q 50, f 5, w 10 → u 35.  Q = 30.
        // Finished tier:    line 1 takes 10, line 2 takes 5        → 15 left.
        // In-progress tier: line 1 has 0,   line 2 takes 10        →  5 left.
        // Not-started tier: line 1 takes 5                         →  0 left.
        // A whole tier goes before the next one even on a later line.
        // t1 = 100 − 10 − 0 − 5 = 85; t2 = 50 − 5 − 10 − 0 = 35.
        let lines = [
            orderLine(1, "A", price: "10", ordered: "100", report: productionReport(finished: "10")),
            orderLine(2, "A", price: "10", ordered: "50",
                      report: productionReport(finished: "5", inProgress: "10")),
        ]
        XCTAssertEqual(allocate(lines, [replace("A", "30")]), [reuse("10", "0", "5"), reuse("5", "10", "0")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "30")])), ["85", "35"])
    }

    func testLinesTakenInAscendingLineNumberWhateverTheInputOrder() {
        // Both lines have f = 10; Q = 15 → line 1 takes 10, line 2 takes 5, though line 2 comes first.
        let lines = [
            orderLine(2, "A", price: "10", ordered: "10", report: productionReport(finished: "10")),
            orderLine(1, "A", price: "10", ordered: "10", report: productionReport(finished: "10")),
        ]
        XCTAssertEqual(allocate(lines, [replace("A", "15")]), [reuse("5", "0", "0"), reuse("10", "0", "0")])
    }

    func testPerItemOnly() {
        // The replacement asks for B only: A's line keeps t = q = 100.
        let lines = [orderLine(1, "A", price: "10", ordered: "100", report: productionReport(finished: "30"))]
        XCTAssertEqual(allocate(lines, [replace("B", "40")]), [reuse("0", "0", "0")])
    }

    func testReplacementToAnotherSupplierMeansNoReuse() {
        // The caller passes an empty replacement: nothing reused, t = q − d = 100 − 0.
        let lines = [orderLine(1, "A", price: "10", ordered: "100", report: productionReport(finished: "30"))]
        XCTAssertEqual(allocate(lines, []), [reuse("0", "0", "0")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [])), ["100"])
    }

    func testDeliveredUnitsAreNotReused() {
        // q 100, d 40, f 10, w 0 → u = 50. Q = 30 → rf = 10, ru = 20; t = 100 − 40 − 30 = 30.
        let lines = [orderLine(1, "A", price: "10", ordered: "100", delivered: "40",
                               report: productionReport(finished: "10"))]
        XCTAssertEqual(allocate(lines, [replace("A", "30")]), [reuse("10", "0", "20")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "30")])), ["30"])
    }

    func testReplacementLinesOfOneItemAddUp() {
        // Q = 10 + 15 = 25, all from f = 30.
        let lines = [orderLine(1, "A", price: "10", ordered: "100", report: productionReport(finished: "30"))]
        XCTAssertEqual(allocate(lines, [replace("A", "10"), replace("A", "15")]), [reuse("25", "0", "0")])
    }

    func testNotStartedNeverNegative() {
        // q 10, f 8, w 5: q − d − f − w = −3 → u = 0. Q = 20 → rf 8, rw 5, ru 0; t = 10 − 13 → 0.
        let lines = [orderLine(1, "A", price: "10", ordered: "10",
                               report: productionReport(finished: "8", inProgress: "5"))]
        let figures = LineFigures(lines[0], acknowledged: true)
        XCTAssertEqual(figures.notStarted, .zero)
        XCTAssertEqual(allocate(lines, [replace("A", "20")]), [reuse("8", "5", "0")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "20")])), ["0"])
    }

    func testFractionalQuantities() {
        // q 10.5, f 2.25, Q 3 → rf 2.25, ru 0.75 (w = 0); t = 10.5 − 3 = 7.5.
        let lines = [orderLine(1, "A", price: "10", ordered: "10.5", report: productionReport(finished: "2.25"))]
        XCTAssertEqual(allocate(lines, [replace("A", "3")]), [reuse("2.25", "0", "0.75")])
        XCTAssertEqual(terminated(LiabilityInput(lines: lines, replacement: [replace("A", "3")])), ["7.5"])
    }
}
