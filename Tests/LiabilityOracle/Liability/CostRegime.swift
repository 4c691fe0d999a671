/// Regime `cost` (SPEC §8): the supplier recovers finished goods at the order price, the costs of
/// abandoned work and materials, and a profit on those costs, never more than the terminated part
/// would have fetched.
public enum CostRegime {
    public static func amounts(_ lines: [TerminatedLine], profitRate: ExactDecimal,
                               settlement: ExactDecimal, payments: ExactDecimal) -> LiabilityAmounts {
        var amounts = LiabilityAmounts()
        amounts.finished = finishedGoods(lines)
        amounts.costs = costs(lines)
        amounts.profit = profit(costs: amounts.costs, rate: profitRate)
        amounts.cap = CommonParts.cap(lines)
        amounts.settlement = CommonParts.amount(settlement)
        amounts.credits = CommonParts.credits(lines)
        amounts.payments = CommonParts.amount(payments)
        let claim = amounts.finished + amounts.costs + amounts.profit
        amounts.capped = claim > amounts.cap
        amounts.total = ExactDecimal.min(claim, amounts.cap)
            + amounts.settlement - amounts.credits - amounts.payments
        return amounts
    }

    /// A = round2(Σ (f − rf) × p): finished units the replacement does not take, at the order price.
    public static func finishedGoods(_ lines: [TerminatedLine]) -> ExactDecimal {
        lines.sum { ($0.figures.finished - $0.reuse.finished) * $0.figures.price }.rounded(scale: 2)
    }

    /// C = round2(Σ W × (w − rw)/w + M × (u − ru)/u): the share of work-in-progress cost and of
    /// materials that belongs to units nobody continues. With w = 0 (or u = 0) there are no units
    /// to share over, so W (or M) counts whole.
    public static func costs(_ lines: [TerminatedLine]) -> ExactDecimal {
        lines.sum { line in
            share(of: line.figures.wipCost, left: line.abandonedInProgress, outOf: line.figures.inProgress)
                + share(of: line.figures.materials, left: line.abandonedNotStarted, outOf: line.figures.notStarted)
        }.rounded(scale: 2)
    }

    /// P = round2(π × C) with π = rate / 100, on the already rounded C.
    public static func profit(costs: ExactDecimal, rate: ExactDecimal) -> ExactDecimal {
        (costs * rate / ExactDecimal(100)).rounded(scale: 2)
    }

    /// amount × left / units, or the whole amount when units is 0. Multiplies before dividing so
    /// that an exact share (say 300 × 10 / 20) stays exact.
    static func share(of amount: ExactDecimal, left: ExactDecimal, outOf units: ExactDecimal) -> ExactDecimal {
        units.isZero ? amount : amount * left / units
    }
}
