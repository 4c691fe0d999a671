import LiabilityOracle
import XCTest

/// A decimal from a literal the test knows to be valid.
func dec(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ExactDecimal {
    guard let value = ExactDecimal(text) else {
        XCTFail("bad literal \(text)", file: file, line: line)
        return .zero
    }
    return value
}

/// An amount as the JSON output prints it.
func money(_ value: ExactDecimal) -> String { value.fixed(scale: 2) }

func orderLine(_ number: Int, _ sku: String, price: String, ordered: String, delivered: String = "0",
               report: ProductionReport? = nil) -> LiabilityLine {
    LiabilityLine(line: number, sku: sku, price: dec(price), ordered: dec(ordered),
                  delivered: dec(delivered), report: report)
}

func productionReport(stage: Stage? = nil, finished: String = "0", inProgress: String = "0",
                      wipCost: String = "0", materials: String = "0", salvage: String = "0",
                      costToComplete: String = "0") -> ProductionReport {
    ProductionReport(stage: stage, finished: dec(finished), inProgress: dec(inProgress),
                     wipCost: dec(wipCost), materials: dec(materials), salvage: dec(salvage),
                     costToComplete: dec(costToComplete))
}

func replace(_ sku: String, _ quantity: String) -> ReplacementLine {
    ReplacementLine(sku: sku, quantity: dec(quantity))
}

/// The ten amounts of a result, printed as the JSON prints them, for one-line comparisons.
func amountTexts(_ result: LiabilityResult) -> [String: String] {
    [
        "finished": money(result.finished), "costs": money(result.costs),
        "profit": money(result.profit), "cap": money(result.cap), "saved": money(result.saved),
        "settlement": money(result.settlement), "credits": money(result.credits),
        "payments": money(result.payments), "total": money(result.total),
        "scheduled": money(result.scheduled),
    ]
}

/// Every amount "0.00" except those given.
func expectedAmounts(_ nonZero: [String: String]) -> [String: String] {
    let keys = ["finished", "costs", "profit", "cap", "saved", "settlement", "credits",
                "payments", "total", "scheduled"]
    var all = Dictionary(uniqueKeysWithValues: keys.map { ($0, "0.00") })
    all.merge(nonZero) { _, given in given }
    return all
}
