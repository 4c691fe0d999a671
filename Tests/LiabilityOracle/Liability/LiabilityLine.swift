/// One line of the revoked order as the calculator needs it.
public struct LiabilityLine: Sendable, Equatable, Codable {
    /// The line number, 1-based in the order the lines were created.
    public var line: Int
    public var sku: String
    /// p: the unit price on the order.
    public var price: ExactDecimal
    /// q: the ordered quantity.
    public var ordered: ExactDecimal
    /// d: the quantity delivered and accepted.
    public var delivered: ExactDecimal
    /// The latest counting production report, nil when there is none.
    public var report: ProductionReport?

    public init(line: Int, sku: String, price: ExactDecimal, ordered: ExactDecimal,
                delivered: ExactDecimal = .zero, report: ProductionReport? = nil) {
        self.line = line
        self.sku = sku
        self.price = price
        self.ordered = ordered
        self.delivered = delivered
        self.report = report
    }

    enum CodingKeys: String, CodingKey {
        case line, sku, price, ordered, delivered, report
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            line: try c.decode(Int.self, forKey: .line),
            sku: try c.decode(String.self, forKey: .sku),
            price: try c.decimalOrZero(.price),
            ordered: try c.decimalOrZero(.ordered),
            delivered: try c.decimalOrZero(.delivered),
            report: try c.decodeIfPresent(ProductionReport.self, forKey: .report))
    }
}
