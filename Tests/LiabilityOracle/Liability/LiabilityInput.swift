/// Everything the calculator needs about one revoked order. Decodes the store's JSON (snake_case
/// keys, decimals as strings); absent numbers are zero, absent lists empty.
public struct LiabilityInput: Sendable, Equatable, Codable {
    public var regime: Regime
    public var currency: String
    /// The supplier's profit rate in percent ("10" = 10 %), used by the cost regime.
    public var profitRate: ExactDecimal
    /// The supplier's schedule: stage name → percent, used by the schedule regime.
    public var schedule: [String: ExactDecimal]
    /// Whether the supplier had acknowledged the order (the stage of a line with no report).
    public var acknowledged: Bool
    /// S: settlement expenses agreed at correction time.
    public var settlement: ExactDecimal
    /// B: advance payments already made on the order.
    public var payments: ExactDecimal
    public var lines: [LiabilityLine]
    /// The replacement order's lines. The caller passes an empty list when the replacement goes
    /// to another supplier: only the same supplier can continue work already done.
    public var replacement: [ReplacementLine]

    public init(regime: Regime = .cost, currency: String = "CNY", profitRate: ExactDecimal = .zero,
                schedule: [String: ExactDecimal] = [:], acknowledged: Bool = false,
                settlement: ExactDecimal = .zero, payments: ExactDecimal = .zero,
                lines: [LiabilityLine], replacement: [ReplacementLine] = []) {
        self.regime = regime
        self.currency = currency
        self.profitRate = profitRate
        self.schedule = schedule
        self.acknowledged = acknowledged
        self.settlement = settlement
        self.payments = payments
        self.lines = lines
        self.replacement = replacement
    }

    enum CodingKeys: String, CodingKey {
        case regime, currency, schedule, acknowledged, settlement, payments, lines, replacement
        case profitRate = "profit_rate"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            regime: try c.decodeIfPresent(Regime.self, forKey: .regime) ?? .cost,
            currency: try c.decodeIfPresent(String.self, forKey: .currency) ?? "CNY",
            profitRate: try c.decimalOrZero(.profitRate),
            schedule: try c.decodeIfPresent([String: ExactDecimal].self, forKey: .schedule) ?? [:],
            acknowledged: try c.decodeIfPresent(Bool.self, forKey: .acknowledged) ?? false,
            settlement: try c.decimalOrZero(.settlement),
            payments: try c.decimalOrZero(.payments),
            lines: try c.decodeIfPresent([LiabilityLine].self, forKey: .lines) ?? [],
            replacement: try c.decodeIfPresent([ReplacementLine].self, forKey: .replacement) ?? [])
    }
}
