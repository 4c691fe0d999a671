import Foundation
import Postgres
import XCTest

/// The one grammar of a decimal: what it accepts and refuses, and that every Swift parser of a
/// decimal follows it.
final class DecimalGrammarTests: XCTestCase {
    static let accepted = [
        "0", "7", "10", "2.5", "120.0000", "+1", "-0.5", "-3", "0.0001", "007", "-0", "+0.0",
        "12345678901234567890123456789012345678.5",
        String(repeating: "9", count: 60),
        "-" + String(repeating: "9", count: 59),
        String(repeating: "1", count: 30) + "." + String(repeating: "2", count: 29),
    ]

    static let refused = [
        "", " ", "1e2", "1E2", "1e-2", "NaN", "nan", "Infinity", "-Infinity", "inf", " 1", "1 ", "1 000",
        "1.", ".5", "+", "-", "+-1", "--1", "1.2.3", "1,5", "0x10", "١٢", "１", "1_000", "\t1", "1\n",
        String(repeating: "9", count: 61),
        "-" + String(repeating: "9", count: 60),
        "+" + String(repeating: "1", count: 60),
    ]

    func testAcceptsSignDigitsAndAnOptionalFraction() {
        for text in Self.accepted {
            XCTAssertTrue(DecimalGrammar.accepts(text), text.debugDescription)
            XCTAssertEqual(DecimalText(text)?.text, text, text.debugDescription)
        }
    }

    func testRefusesExponentsNaNInfinityBlanksBarePointsAndLongText() {
        for text in Self.refused {
            XCTAssertFalse(DecimalGrammar.accepts(text), text.debugDescription)
            XCTAssertNil(DecimalText(text), text.debugDescription)
        }
    }

    func testTheLimitCountsTheSignToo() {
        XCTAssertEqual(DecimalGrammar.maxLength, 60)
        XCTAssertTrue(DecimalGrammar.accepts("-" + String(repeating: "1", count: 59)))
        XCTAssertFalse(DecimalGrammar.accepts("-" + String(repeating: "1", count: 60)))
    }

    func testDigitsSplitWholeAndFraction() throws {
        let parts = try XCTUnwrap(DecimalGrammar.digits(of: "-12.050"))
        XCTAssertEqual(String(parts.whole), "12")
        XCTAssertEqual(String(parts.fraction), "050")
        XCTAssertEqual(DecimalGrammar.digits(of: "+40").map { String($0.fraction) }, "")
    }

    /// Decimal read from a column follows the same grammar (the server never sends a sign or an
    /// exponent, but `NaN` and `Infinity` are NUMERIC values).
    func testDecimalFromTheServerUsesTheGrammar() {
        for text in Self.accepted {
            XCTAssertNotNil(Decimal(postgresText: text), text.debugDescription)
        }
        for text in Self.refused {
            XCTAssertNil(Decimal(postgresText: text), text.debugDescription)
        }
    }
}
