import Postgres

/// One line of the result table: a measurement next to its anchor.
struct BenchResult {
    let measure: String
    let value: Double
    let anchor: Double?
    let unit: String
    let anchorName: String
    /// value ÷ anchor (or value ÷ limit for memory).
    let ratio: Double
    /// e.g. "≥ 1.00" or "≤ 1.20".
    let target: String
    let meets: Bool
    let samples: String

    var json: JSONValue {
        .object([
            ("measure", .string(measure)),
            ("procure", .string(BenchStats.format(value))),
            ("anchor", anchor.map { .string(BenchStats.format($0)) } ?? .null),
            ("unit", .string(unit)),
            ("anchor_is", .string(anchorName)),
            ("ratio", .string(BenchStats.format(ratio, decimals: 3))),
            ("target", .string(target)),
            ("meets", .bool(meets)),
            ("samples", .string(samples)),
        ])
    }
}
