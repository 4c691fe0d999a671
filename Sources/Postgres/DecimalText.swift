/// The one grammar of a decimal in procure's Swift code: an optional sign, digits, and optionally
/// a point followed by digits; at most `maxLength` characters. No exponent (`1e2`), no `NaN` or
/// `Infinity`, no blanks, no bare point (`1.`, `.5`). The database checks the same language
/// (`^[-+]?[0-9]+(\.[0-9]+)?$` with the same length), so the CLI, an import and psql all accept
/// exactly the same numbers. `Decimal(string:)` alone would read "1abc" as 1 and "1e5" as 100000.
public enum DecimalGrammar {
    /// Longer text is refused before it is scanned: no price, quantity or amount needs more, and
    /// a bound keeps a hostile argument from travelling any further.
    public static let maxLength = 60

    /// True when `text` is a decimal of the grammar.
    public static func accepts(_ text: String) -> Bool {
        digits(of: text) != nil
    }

    /// The whole and fraction digits of `text` (the fraction empty when there is no point), or
    /// nil when `text` is not a decimal of the grammar.
    public static func digits(of text: String) -> (whole: Substring.UTF8View, fraction: Substring.UTF8View)? {
        guard text.utf8.count <= maxLength else { return nil }
        var rest = Substring(text).utf8[...]
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            rest = rest.dropFirst()
        }
        let whole = rest.prefix(while: isDigit)
        guard !whole.isEmpty else { return nil }
        rest = rest.dropFirst(whole.count)
        var fraction = rest.prefix(0)
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: isDigit)
            guard !fraction.isEmpty else { return nil }
            rest = rest.dropFirst(fraction.count)
        }
        guard rest.isEmpty else { return nil }
        return (whole, fraction)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// A decimal of `DecimalGrammar`, kept as the text it was written in and sent to PostgreSQL as
/// NUMERIC text, so no binary floating point ever touches it (`2.5`, `120.0000`, `-3`).
public struct DecimalText: PostgresEncodable, Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init?(_ text: String) {
        guard DecimalGrammar.accepts(text) else { return nil }
        self.text = text
    }

    public var postgresText: String? { text }
    public var description: String { text }
}
