import Foundation
import LiabilityOracle
import XCTest

final class ExactDecimalTests: XCTestCase {
    func testAcceptsPlainDecimals() {
        for text in ["0", "10", "-2.5", "+3.25", "007.50", "0.0001", "12345678901234.5678"] {
            XCTAssertNotNil(ExactDecimal(text), text)
        }
        // 38 nines: the most digits accepted, held exactly.
        let nines = String(repeating: "9", count: 38)
        XCTAssertEqual(ExactDecimal(nines)?.description, nines)
    }

    func testRefusesEverythingElse() {
        let junk = ["", "1abc", "1e5", "1E5", "1.", ".5", "-", "+", "1.2.3", " 1", "1 ", "1,5",
                    "--1", "+-1", "0x10", "NaN", "inf", "１", "1_000"]
        for text in junk {
            XCTAssertNil(ExactDecimal(text), "accepted \"\(text)\"")
        }
        // 39 significant digits cannot be held exactly: refused, not rounded.
        XCTAssertNil(ExactDecimal(String(repeating: "9", count: 39)))
        XCTAssertNil(ExactDecimal("1" + String(repeating: "0", count: 38)))
        // Leading zeros are not significant.
        XCTAssertNotNil(ExactDecimal("000" + String(repeating: "9", count: 38)))
    }

    /// The one grammar of a decimal bounds the text, leading zeros and sign included.
    func testFollowsTheSharedGrammarsLengthLimit() {
        XCTAssertNotNil(ExactDecimal(String(repeating: "0", count: 59) + "1"))
        XCTAssertNil(ExactDecimal(String(repeating: "0", count: 60) + "1"))
        XCTAssertNil(ExactDecimal("+" + String(repeating: "0", count: 59) + "1"))
        XCTAssertNil(ExactDecimal("Infinity"))
    }

    func testPointOnePlusPointTwoIsPointThree() {
        // In binary floating point 0.1 + 0.2 = 0.30000000000000004; in decimal it is exact.
        XCTAssertEqual(dec("0.1") + dec("0.2"), dec("0.3"))
    }

    func testLargeAmountRoundTrips() {
        let value = dec("12345678901234.5678")
        XCTAssertEqual(value.description, "12345678901234.5678")
        XCTAssertEqual(value.fixed(scale: 4), "12345678901234.5678")
        // .5678 → .57 (the 3rd decimal 7 rounds up)
        XCTAssertEqual(value.fixed(scale: 2), "12345678901234.57")
        XCTAssertEqual(ExactDecimal(value.description), value)
    }

    func testRoundsHalfAwayFromZero() {
        XCTAssertEqual(dec("2.005").rounded(scale: 2), dec("2.01"))
        XCTAssertEqual(dec("-2.005").rounded(scale: 2), dec("-2.01"))
        XCTAssertEqual(dec("2.0049").rounded(scale: 2), dec("2.00"))
        XCTAssertEqual(dec("-2.0049").rounded(scale: 2), dec("-2.00"))
        // Half-even would give 0.12; half away from zero gives 0.13.
        XCTAssertEqual(dec("0.125").rounded(scale: 2), dec("0.13"))
        XCTAssertEqual(dec("1234.5").rounded(scale: 0), dec("1235"))
    }

    func testFixedPrintsExactlyTheScale() {
        XCTAssertEqual(dec("-0.001").fixed(scale: 2), "0.00")  // never "-0.00"
        XCTAssertEqual(dec("-0.005").fixed(scale: 2), "-0.01")
        XCTAssertEqual(dec("0").fixed(scale: 2), "0.00")
        XCTAssertEqual(dec("1234567.5").fixed(scale: 2), "1234567.50")  // no grouping
        XCTAssertEqual(dec("10").fixed(scale: 4), "10.0000")
        XCTAssertEqual(dec("0.5").fixed(scale: 2), "0.50")
        XCTAssertEqual(dec("2.5").fixed(scale: 0), "3")
        XCTAssertEqual(dec("-9390").fixed(scale: 2), "-9390.00")
    }

    func testCountsDecimals() {
        XCTAssertEqual(dec("1.23456").countDecimals(), 5)
        XCTAssertEqual(dec("2.5").countDecimals(), 1)
        XCTAssertEqual(dec("7").countDecimals(), 0)
        XCTAssertEqual(dec("120.0000").countDecimals(), 0)  // trailing zeros carry no value
    }

    func testOtherInitialisers() {
        XCTAssertEqual(ExactDecimal(minorUnits: 12345, scale: 2), dec("123.45"))
        XCTAssertEqual(ExactDecimal(minorUnits: -5, scale: 3), dec("-0.005"))
        XCTAssertEqual(ExactDecimal(42), dec("42"))
        XCTAssertEqual(ExactDecimal(Decimal(string: "1.5")!), dec("1.50"))
        XCTAssertEqual(dec("1.50").decimal, Decimal(string: "1.5")!)
    }

    func testArithmeticAndComparison() {
        // 9.9995 × 3.125 = 31.2484375 exactly.
        XCTAssertEqual(dec("9.9995") * dec("3.125"), dec("31.2484375"))
        XCTAssertEqual(dec("1") / dec("4"), dec("0.25"))
        XCTAssertEqual(dec("5") - dec("7.5"), dec("-2.5"))
        XCTAssertEqual(-dec("2.5"), dec("-2.5"))
        XCTAssertEqual(ExactDecimal.min(dec("1"), dec("-1")), dec("-1"))
        XCTAssertEqual(ExactDecimal.max(dec("1"), dec("-1")), dec("1"))
        XCTAssertTrue(dec("0.01") > .zero)
        XCTAssertTrue(dec("0.000").isZero)
        XCTAssertEqual(dec("-3").sign, -1)
        XCTAssertEqual(dec("0").sign, 0)
        XCTAssertEqual(dec("3").sign, 1)
        XCTAssertEqual(dec("1.5"), dec("1.50"))
        XCTAssertEqual(Set([dec("1.5"), dec("1.50"), dec("1.500")]).count, 1)
    }

    func testDescriptionIsPlainText() {
        XCTAssertEqual(dec("2.50").description, "2.5")
        XCTAssertEqual(dec("40.000").description, "40")
        XCTAssertEqual(dec("-0").description, "0")
        XCTAssertEqual(ExactDecimal(minorUnits: 1, scale: -30).description,
                       "1" + String(repeating: "0", count: 30))  // no exponent
    }

    func testCodableUsesStrings() throws {
        let encoded = try JSONEncoder().encode([dec("12.50"), dec("-3")])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["12.5","-3"]"#)

        let decoded = try JSONDecoder().decode([ExactDecimal].self, from: Data(#"["9390.00", 7]"#.utf8))
        XCTAssertEqual(decoded, [dec("9390"), dec("7")])
    }

    func testCodableRefusesJunkAndFractionalNumbers() {
        for json in [#"["1e5"]"#, #"["1abc"]"#, #"[""]"#, "[1.5]", "[true]", "[null]"] {
            XCTAssertThrowsError(try JSONDecoder().decode([ExactDecimal].self, from: Data(json.utf8)), json)
        }
    }
}
