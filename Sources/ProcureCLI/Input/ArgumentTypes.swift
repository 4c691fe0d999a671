import ArgumentParser
import Foundation
import Postgres

/// A plain decimal typed by the user (`2.5`, `120.0000`, `-3`). Kept as text and sent to
/// PostgreSQL as NUMERIC text, so no binary floating point ever touches it.
struct DecimalText: ExpressibleByArgument, PostgresEncodable, Sendable, CustomStringConvertible {
    let text: String

    init?(argument: String) {
        guard DecimalText.isPlainDecimal(argument) else { return nil }
        text = argument
    }

    var postgresText: String? { text }
    var description: String { text }

    static func isPlainDecimal(_ value: String) -> Bool {
        var body = Substring(value)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), body.count <= 60 else { return false }
        return pieces.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } }
    }
}

extension PostgresDate: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(postgresText: argument)
    }
}

/// An ISO 8601 time with a zone (`2026-11-27T09:30:00Z`, `…+08:00`), sent to the server as
/// typed; the zone is required so a report's time never depends on the machine's zone.
struct TimeText: ExpressibleByArgument, PostgresEncodable, Sendable {
    let text: String

    init?(argument: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard formatter.date(from: argument) != nil || fractional.date(from: argument) != nil else { return nil }
        text = argument
    }

    var postgresText: String? { text }
}

/// One order line on the command line: `SKU:QTY[@PRICE]`.
struct LineSpec: ExpressibleByArgument, Sendable {
    let sku: String
    let quantity: DecimalText
    let price: DecimalText?

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":") else { return nil }
        let sku = String(argument[..<colon])
        let rest = argument[argument.index(after: colon)...]
        let parts = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard !sku.isEmpty, let quantity = DecimalText(argument: String(parts[0])) else { return nil }
        if parts.count == 2 {
            guard let price = DecimalText(argument: String(parts[1])) else { return nil }
            self.price = price
        } else {
            self.price = nil
        }
        self.sku = sku
        self.quantity = quantity
    }

    var json: JSONValue {
        .object([
            ("sku", .string(sku)),
            ("qty", .string(quantity.text)),
            ("price", price.map { .string($0.text) } ?? .null),
        ])
    }

    static func jsonArray(_ lines: [LineSpec]) -> String {
        JSONValue.array(lines.map(\.json)).serialized
    }
}

/// A JSON document passed as a `jsonb` parameter.
struct JSONText: PostgresEncodable {
    let text: String
    var postgresText: String? { text }
}
