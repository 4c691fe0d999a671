/// A generated order and its lines.
struct BenchLine {
    let item: Int
    let qty: Int
    /// Price in 1/10,000 units; nil = the base price.
    let priceUnits: Int?
}

struct BenchOrder {
    let index: Int
    let number: String
    let buyer: Int
    let supplier: Int
    let date: String
    let lines: [BenchLine]
}
