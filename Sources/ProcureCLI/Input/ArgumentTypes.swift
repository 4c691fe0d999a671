import ArgumentParser
import Foundation
import Postgres
import ProcurementStore

/// A plain decimal typed by the user (`2.5`, `120.0000`, `-3`), in the one grammar of a decimal
/// (`DecimalGrammar`); kept as text, so no binary floating point ever touches it.
extension DecimalText: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}

extension PostgresDate: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(postgresText: argument)
    }
}

/// An ISO 8601 time with a zone (`2026-11-27T09:30:00Z`, `…+08:00`).
extension TimeText: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}

/// One order line on the command line: `SKU:QTY[@PRICE]`.
struct LineSpec: ExpressibleByArgument, Sendable {
    let input: OrderLineInput

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":") else { return nil }
        let sku = String(argument[..<colon])
        let rest = argument[argument.index(after: colon)...]
        let parts = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard !sku.isEmpty, let quantity = DecimalText(String(parts[0])) else { return nil }
        var price: DecimalText?
        if parts.count == 2 {
            guard let given = DecimalText(String(parts[1])) else { return nil }
            price = given
        }
        input = OrderLineInput(sku: sku, quantity: quantity, price: price)
    }
}
