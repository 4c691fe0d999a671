import Foundation
import Postgres
import LiabilityOracle
import TestSupport
import XCTest

/// The product computes a liability once, in the database (`procure.liability_compute`). The
/// Swift calculator of the tests is an independent oracle: these tests hold the database to it
/// over thousands of seeded random orders and on the worked example of docs/liability.md.
final class LiabilityTwinTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(opensConnection: true) }

    private func databaseResult(_ inputs: String) throws -> JSONValue {
        let rows = try connection.query("SELECT procure.liability_compute($1::jsonb)::text AS r", [inputs])
        return try JSONParser.parse(try XCTUnwrap(rows.first?["r"]))
    }

    private func oracleResult(_ inputs: String) throws -> JSONValue {
        let input = try JSONDecoder().decode(LiabilityInput.self, from: Data(inputs.utf8))
        let encoded = try JSONEncoder().encode(LiabilityCalculator.compute(input))
        return try JSONParser.parse(String(decoding: encoded, as: UTF8.self))
    }

    func testTheDatabaseAgreesWithTheOracleOnRandomOrders() throws {
        var random = SeededGenerator(seed: 20261127)
        for index in 0..<3_000 {
            let inputs = RandomLiabilityInput.make(&random)
            if let problem = LiabilityComparison.difference(try databaseResult(inputs), oracle: try oracleResult(inputs)) {
                XCTFail("case \(index): \(problem)\ninputs \(inputs)")
                return
            }
        }
    }

    func testTheWorkedExampleAgrees() throws {
        let inputs = """
            {"regime":"cost","currency":"CNY","profit_rate":"10","schedule":{},"acknowledged":true,
             "settlement":"200.00","payments":"500.00",
             "lines":[{"line":1,"sku":"A","price":"10.0000","ordered":"100","delivered":"0",
                       "report":{"stage":null,"finished":"30","in_progress":"20","wip_cost":"300.00","materials":"100.00","salvage":"50.00","cost_to_complete":"0.00"}},
                      {"line":2,"sku":"A","price":"9.5000","ordered":"60","delivered":"0","report":null},
                      {"line":3,"sku":"B","price":"25.0000","ordered":"40","delivered":"0",
                       "report":{"stage":null,"finished":"8","in_progress":"0","wip_cost":"0.00","materials":"0.00","salvage":"0.00","cost_to_complete":"0.00"}}],
             "replacement":[{"sku":"A","quantity":"40"}]}
            """
        let database = try databaseResult(inputs)
        XCTAssertEqual(database["total"]?.text, "125.00")
        XCTAssertNil(LiabilityComparison.difference(database, oracle: try oracleResult(inputs)))
    }

    /// The comparison can fail: a figure or a line count off by the smallest step is named.
    func testADifferenceIsNamed() throws {
        var random = SeededGenerator(seed: 7)
        let inputs = RandomLiabilityInput.make(&random)
        let database = try databaseResult(inputs)
        let oracle = try oracleResult(inputs)
        let total = try XCTUnwrap(Decimal(string: try XCTUnwrap(oracle["total"]?.text)))
        let tampered = oracle.replacing("total", with: .string("\(total + Decimal(string: "0.01")!)"))
        XCTAssertTrue(LiabilityComparison.difference(database, oracle: tampered)?.hasPrefix("total:") == true)
        guard case .array(var lines) = oracle["lines"], !lines.isEmpty else { return XCTFail("no lines") }
        lines[0] = lines[0].replacing("terminated", with: .string("99999"))
        XCTAssertEqual(LiabilityComparison.difference(database, oracle: oracle.replacing("lines", with: .array(lines))),
                       "lines: the reuse and terminated counts differ")
    }
}

/// The first figure in which the database's result and the oracle's differ, as
/// `key: database X, oracle Y`; nil when they agree. Amounts compare as numbers.
enum LiabilityComparison {
    static let amounts = ["total", "finished", "costs", "profit", "cap", "saved", "settlement", "credits", "payments", "scheduled"]
    static let words = ["capped", "in_production", "regime", "currency"]
    static let counts = ["reused_finished", "reused_in_progress", "reused_not_started", "terminated"]

    static func difference(_ database: JSONValue, oracle: JSONValue) -> String? {
        for key in amounts where number(database[key]) != number(oracle[key]) {
            return "\(key): database \(database[key]?.text ?? "(none)"), oracle \(oracle[key]?.text ?? "(none)")"
        }
        for key in words where database[key]?.text != oracle[key]?.text {
            return "\(key): database \(database[key]?.text ?? "(none)"), oracle \(oracle[key]?.text ?? "(none)")"
        }
        let mine = database["lines"]?.arrayValue ?? [], theirs = oracle["lines"]?.arrayValue ?? []
        guard mine.count == theirs.count else { return "lines: \(mine.count) against \(theirs.count)" }
        for (a, b) in zip(mine, theirs) {
            if a["line"]?.text != b["line"]?.text || a["sku"]?.text != b["sku"]?.text || a["stage"]?.text != b["stage"]?.text
                || counts.contains(where: { number(a[$0]) != number(b[$0]) }) {
                return "lines: the reuse and terminated counts differ"
            }
        }
        return nil
    }

    /// An absent figure is 0, as the formula reads it.
    private static func number(_ value: JSONValue?) -> Decimal {
        value?.text.flatMap { Decimal(string: $0) } ?? 0
    }
}

extension JSONValue {
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.map { $0.0 == key ? ($0.0, value) : $0 })
    }
}

/// Liability inputs shaped like `procure.liability_inputs_for` returns them, with the awkward
/// cases made common: zeros, shares that do not divide evenly, reuse across lines of one item,
/// over-reporting, stages given and derived, missing schedule stages.
enum RandomLiabilityInput {
    static let stages = ["issued", "acknowledged", "materials", "production", "finished"]

    static func make(_ random: inout SeededGenerator) -> String {
        let regime = ["cost", "schedule", "expectation"].randomElement(using: &random)!
        let skus = ["A", "B", "C"]
        let lineCount = Int.random(in: 1...5, using: &random)
        var lines: [String] = []
        for number in 1...lineCount {
            let ordered = Int.random(in: 1...200, using: &random)
            let delivered = chance(0.2, &random) ? Int.random(in: 0...ordered, using: &random) : 0
            let report: String
            if chance(0.25, &random) {
                report = "null"
            } else {
                let stage = chance(0.4, &random) ? "\"\(stages.randomElement(using: &random)!)\"" : "null"
                report = """
                    {"stage":\(stage),"finished":"\(count(ordered, &random))","in_progress":"\(count(ordered, &random))",\
                    "wip_cost":"\(amount(&random))","materials":"\(amount(&random))","salvage":"\(amount(&random))",\
                    "cost_to_complete":"\(amount(&random))"}
                    """
            }
            lines.append("""
                {"line":\(number),"sku":"\(skus.randomElement(using: &random)!)","price":"\(price(&random))",\
                "ordered":"\(ordered)","delivered":"\(delivered)","report":\(report)}
                """)
        }
        let replacement = skus.filter { _ in chance(0.4, &random) }
            .map { "{\"sku\":\"\($0)\",\"quantity\":\"\(Int.random(in: 0...150, using: &random))\"}" }
        let schedule = stages.filter { _ in chance(0.7, &random) }
            .map { "\"\($0)\":\"\(Int.random(in: 0...100, using: &random))\(chance(0.3, &random) ? ".5" : "")\"" }
        return """
            {"regime":"\(regime)","currency":"CNY","profit_rate":"\(Int.random(in: 0...25, using: &random))",\
            "schedule":{\(schedule.joined(separator: ","))},"acknowledged":\(chance(0.5, &random)),\
            "settlement":"\(chance(0.5, &random) ? amount(&random) : "0.00")",\
            "payments":"\(chance(0.3, &random) ? amount(&random) : "0.00")",\
            "lines":[\(lines.joined(separator: ","))],"replacement":[\(replacement.joined(separator: ","))]}
            """
    }

    static func chance(_ p: Double, _ random: inout SeededGenerator) -> Bool {
        Int.random(in: 0..<1000, using: &random) < Int(p * 1000)
    }

    /// A count up to a bit above the ordered quantity (suppliers over-report), often 0,
    /// sometimes with 3 decimals, sometimes 3 or 7 so shares do not divide evenly.
    static func count(_ ordered: Int, _ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<6, using: &random) {
        case 0, 1: return "0"
        case 2: return ["3", "7", "1"].randomElement(using: &random)!
        case 3: return "\(Int.random(in: 0...ordered / 2, using: &random)).\(Int.random(in: 1...999, using: &random))"
        default: return "\(Int.random(in: 0...(ordered * 6 / 10), using: &random))"
        }
    }

    /// An amount with 2 decimals, often 0.
    static func amount(_ random: inout SeededGenerator) -> String {
        chance(0.3, &random) ? "0.00" : "\(Int.random(in: 0...5_000, using: &random)).\(String(format: "%02d", Int.random(in: 0...99, using: &random)))"
    }

    /// A price with 4 decimals.
    static func price(_ random: inout SeededGenerator) -> String {
        "\(Int.random(in: 0...300, using: &random)).\(String(format: "%04d", Int.random(in: 0...9_999, using: &random)))"
    }
}
