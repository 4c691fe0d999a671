import Foundation

/// A value that can be sent as a query parameter, in PostgreSQL's text format.
/// `nil` means SQL NULL.
public protocol PostgresEncodable {
    var postgresText: String? { get }
}

/// A value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    init?(postgresText: String)
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self ? "t" : "f" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Decimal: PostgresEncodable, PostgresDecodable {
    /// NUMERIC travels as text both ways, so no binary floating point is ever involved.
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")) }

    public init?(postgresText: String) {
        guard DecimalGrammar.accepts(postgresText),
              let value = Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        self = value
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? {
        switch self {
        case .none: return nil
        case .some(let value): return value.postgresText
        }
    }
}

/// A calendar date without a time zone, as PostgreSQL's `date` (ISO `YYYY-MM-DD`).
public struct PostgresDate: Sendable, Hashable, Comparable, CustomStringConvertible, PostgresEncodable, PostgresDecodable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              components.isValidDate(in: calendar)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(postgresText text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public var postgresText: String? { description }

    public static func < (a: PostgresDate, b: PostgresDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A point in time read from `timestamptz` (ISO style output) or an ISO 8601 string with a zone.
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: self)
    }

    public init?(postgresText text: String) {
        guard let date = PostgresTimestampText.parse(text) else { return nil }
        self = date
    }
}

/// A point in time as the user typed it: ISO 8601 with a zone (`2026-11-27T09:30:00Z`,
/// `…+08:00`), sent to the server as typed (fractions of a second included). The zone is
/// required so that a stored time never depends on the machine's zone.
public struct TimeText: PostgresEncodable, Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init?(_ text: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard formatter.date(from: text) != nil || fractional.date(from: text) != nil else { return nil }
        self.text = text
    }

    public var postgresText: String? { text }
    public var description: String { text }
}

enum PostgresTimestampText {
    /// Accepts PostgreSQL's ISO output (`2026-11-27 09:30:00.123+00`, `…+05:30`) and ISO 8601
    /// (`2026-11-27T09:30:00Z`, `…+08:00`).
    static func parse(_ raw: String) -> Date? {
        var text = raw.replacingOccurrences(of: " ", with: "T")
        // Server offsets may be `+00` or `+05:30`; ISO8601DateFormatter wants `+00:00`.
        if let zoneStart = text.lastIndex(where: { $0 == "+" || $0 == "-" }),
           text.distance(from: zoneStart, to: text.endIndex) == 3,
           text[text.index(text.startIndex, offsetBy: 10)...].contains("T") {
            text += ":00"
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }
}
