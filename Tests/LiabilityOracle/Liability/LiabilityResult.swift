/// The liability of one revoked order as `correct` and `liability show` report it (SPEC §8),
/// without `status`, which belongs to the store. Amounts encode as strings with exactly 2 decimals.
public struct LiabilityResult: Sendable, Equatable, Codable {
    public var regime: Regime
    public var currency: String
    public var finished: ExactDecimal
    public var costs: ExactDecimal
    public var profit: ExactDecimal
    public var cap: ExactDecimal
    public var capped: Bool
    public var saved: ExactDecimal
    public var settlement: ExactDecimal
    public var credits: ExactDecimal
    public var payments: ExactDecimal
    public var total: ExactDecimal
    public var scheduled: ExactDecimal
    /// False for the free revocation: no line showed production started.
    public var inProduction: Bool
    public var lines: [LiabilityLineResult]

    public init(regime: Regime, currency: String, amounts: LiabilityAmounts, inProduction: Bool,
                lines: [LiabilityLineResult]) {
        self.regime = regime
        self.currency = currency
        finished = amounts.finished
        costs = amounts.costs
        profit = amounts.profit
        cap = amounts.cap
        capped = amounts.capped
        saved = amounts.saved
        settlement = amounts.settlement
        credits = amounts.credits
        payments = amounts.payments
        total = amounts.total
        scheduled = amounts.scheduled
        self.inProduction = inProduction
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case regime, currency, finished, costs, profit, cap, capped, saved, settlement, credits
        case payments, total, scheduled, lines
        case inProduction = "in_production"
    }

    /// The amount keys in SPEC order, each paired with its value.
    private var amountFields: [(CodingKeys, ExactDecimal)] {
        [(.finished, finished), (.costs, costs), (.profit, profit), (.cap, cap),
         (.saved, saved), (.settlement, settlement), (.credits, credits),
         (.payments, payments), (.total, total), (.scheduled, scheduled)]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(regime, forKey: .regime)
        try c.encode(currency, forKey: .currency)
        try c.encode(capped, forKey: .capped)
        for (key, value) in amountFields {
            try c.encode(value.fixed(scale: 2), forKey: key)
        }
        try c.encode(inProduction, forKey: .inProduction)
        try c.encode(lines, forKey: .lines)
    }
}
