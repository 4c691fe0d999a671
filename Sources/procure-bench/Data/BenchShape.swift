/// The size and seed of a benchmark data set.
struct BenchShape: Sendable {
    var orders: Int
    var linesPerOrder: Int
    var buyers: Int
    var suppliers: Int
    var items: Int
    var seed: UInt64
}
