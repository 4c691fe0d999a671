/// Names of the generated entities.
enum BenchNames {
    static func supplier(_ index: Int) -> String { "S" + pad(index + 1, 2) }
    static func sku(_ index: Int) -> String { "I" + pad(index + 1, 5) }
    static func buyer(_ index: Int) -> String { "bench_buyer_" + pad(index + 1, 2) }
    static let finance = "bench_finance"
    static func order(_ prefix: String, _ index: Int) -> String { prefix + "-" + pad(index + 1, 7) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// A price in 1/10,000 units as decimal text with 4 decimals.
    static func price(_ units: Int) -> String {
        "\(units / 10_000)." + pad(units % 10_000, 4)
    }
}
