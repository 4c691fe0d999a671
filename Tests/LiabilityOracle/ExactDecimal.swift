import Foundation
import Postgres

/// An exact decimal number for money, prices and quantities.
///
/// It wraps Foundation's `Decimal` (a base-10 mantissa of up to 38 digits) so that 0.1 + 0.2 is
/// exactly 0.3. It is never converted through `Double`: binary floating point cannot hold most
/// cents exactly, and the liability figures must agree with PostgreSQL's `NUMERIC` to the cent.
public struct ExactDecimal: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The most digits a literal may carry; Decimal's 128-bit mantissa holds any 38-digit number
    /// exactly, so anything accepted here is stored without loss.
    public static let maxDigits = 38

    public static let zero = ExactDecimal(Decimal(0))

    /// The underlying Foundation value.
    public let decimal: Decimal

    public init(_ decimal: Decimal) {
        self.decimal = decimal
    }

    public init(_ int: Int) {
        self.decimal = Decimal(int)
    }

    /// `minorUnits` × 10^−scale, e.g. (12345, 2) is 123.45.
    public init(minorUnits: Int, scale: Int) {
        self.decimal = Decimal(sign: .plus, exponent: -scale, significand: Decimal(minorUnits))
    }

    /// Parses a decimal of `DecimalGrammar` (the one grammar of a decimal) that has at most 38
    /// significant digits and 38 fraction digits, so that Decimal holds it without loss.
    public init?(_ text: String) {
        guard let digits = DecimalGrammar.digits(of: text) else { return nil }
        let zero = UInt8(ascii: "0")
        let significant = (Array(digits.whole) + Array(digits.fraction)).drop(while: { $0 == zero }).count
        guard significant <= ExactDecimal.maxDigits, digits.fraction.count <= ExactDecimal.maxDigits,
              let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        self.decimal = value
    }
}

// MARK: - Arithmetic

extension ExactDecimal {
    public static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(lhs.decimal + rhs.decimal)
    }

    public static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(lhs.decimal - rhs.decimal)
    }

    public static func * (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(lhs.decimal * rhs.decimal)
    }

    /// Division keeps 38 significant digits. Dividing by zero is a programming error (Foundation
    /// would answer NaN, which would then poison every sum silently): check `isZero` first.
    public static func / (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        precondition(!rhs.isZero, "ExactDecimal division by zero")
        return ExactDecimal(lhs.decimal / rhs.decimal)
    }

    public static prefix func - (value: ExactDecimal) -> ExactDecimal {
        ExactDecimal(-value.decimal)
    }

    public static func += (lhs: inout ExactDecimal, rhs: ExactDecimal) { lhs = lhs + rhs }
    public static func -= (lhs: inout ExactDecimal, rhs: ExactDecimal) { lhs = lhs - rhs }

    public static func min(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal { b < a ? b : a }
    public static func max(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal { b > a ? b : a }

    public var isZero: Bool { decimal.isZero }

    /// −1, 0 or 1.
    public var sign: Int {
        if isZero { return 0 }
        return decimal < 0 ? -1 : 1
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.decimal < rhs.decimal }

    /// Equal by value: 1.5 == 1.50.
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.decimal == rhs.decimal }

    /// Hashes the normalised text so that values equal by `==` always hash alike.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}

// MARK: - Rounding and text

extension ExactDecimal {
    /// Rounds to `scale` decimals, half away from zero (2.005 → 2.01, −2.005 → −2.01), the same
    /// rule as PostgreSQL's `round()` on NUMERIC.
    public func rounded(scale: Int) -> ExactDecimal {
        var value = decimal
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return ExactDecimal(result)
    }

    /// Rounds, then prints exactly `scale` decimals: "1234.50", "-0.01", never "-0.00", no grouping.
    /// Built by hand: `formatted()` mis-rounds on this toolchain and is locale-dependent.
    public func fixed(scale: Int) -> String {
        let places = Swift.max(0, scale)
        let value = rounded(scale: places)
        let (negative, whole, fraction) = value.textParts()
        guard places > 0 else { return (negative ? "-" : "") + whole }
        let padded = fraction + String(repeating: "0", count: Swift.max(0, places - fraction.count))
        return (negative ? "-" : "") + whole + "." + padded
    }

    /// Decimals needed to write the value exactly: "1.23456" → 5, "2.5" → 1, "120" → 0.
    /// Trailing zeros do not count ("120.0000" → 0), because Decimal keeps the value, not the
    /// spelling; for validating "at most 4 decimals" that is the right question anyway.
    public func countDecimals() -> Int {
        textParts().fraction.count
    }

    /// Plain text without exponent or trailing fraction zeros, e.g. "-12.5", "40", "0.001".
    public var description: String {
        let (negative, whole, fraction) = textParts()
        let body = fraction.isEmpty ? whole : whole + "." + fraction
        return (negative ? "-" : "") + body
    }

    /// Sign, whole digits and fraction digits (trailing zeros removed) of the value. Zero is never
    /// negative, so no caller can print "-0".
    private func textParts() -> (negative: Bool, whole: String, fraction: String) {
        // Decimal's description is plain digits (no exponent, "." separator, no grouping).
        var text = decimal.description
        let negative = text.hasPrefix("-") && !isZero
        if text.hasPrefix("-") { text.removeFirst() }
        guard let point = text.firstIndex(of: ".") else { return (negative, text, "") }
        var fraction = String(text[text.index(after: point)...])
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative, String(text[..<point]), fraction)
    }
}

// MARK: - Codable

extension ExactDecimal {
    /// Encodes as a JSON string ("12.5"), never a JSON number, so no reader parses it as a double.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes a plain-decimal string, or a JSON number that is an integer (a fraction in a JSON
    /// number would already have passed through a double).
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = ExactDecimal(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not a plain decimal: \"\(text)\"")
            }
            self = value
        } else if let integer = try? container.decode(Int.self) {
            self.init(integer)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal string or an integer")
        }
    }
}
