/// One line of the replacement order: how many units of an item the replacement asks for.
public struct ReplacementLine: Sendable, Equatable, Codable {
    public var sku: String
    public var quantity: ExactDecimal

    public init(sku: String, quantity: ExactDecimal) {
        self.sku = sku
        self.quantity = quantity
    }
}
