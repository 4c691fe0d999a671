/// The money figures of a liability, each already rounded to 2 decimals. A regime fills the parts
/// it uses; the others stay 0.00 (SPEC §8: "parts a regime does not use are 0.00").
public struct LiabilityAmounts: Sendable, Equatable {
    /// A: finished goods at the order price (cost regime).
    public var finished: ExactDecimal = .zero
    /// C: costs of work in progress and materials (cost regime).
    public var costs: ExactDecimal = .zero
    /// P: profit on C (cost regime).
    public var profit: ExactDecimal = .zero
    /// K: the price of the terminated part, reported in every regime.
    public var cap: ExactDecimal = .zero
    /// Whether K limited A + C + P (cost regime).
    public var capped: Bool = false
    /// E′: the cost the supplier saves by stopping (expectation regime).
    public var saved: ExactDecimal = .zero
    /// S: settlement expenses.
    public var settlement: ExactDecimal = .zero
    /// V: the supplier's salvage credits.
    public var credits: ExactDecimal = .zero
    /// B: advance payments.
    public var payments: ExactDecimal = .zero
    /// What the buyer owes; negative when the supplier owes a refund.
    public var total: ExactDecimal = .zero
    /// The scheduled amount (schedule regime).
    public var scheduled: ExactDecimal = .zero

    public init() {}
}
