/// Regime `expectation` (SPEC §8; PRC Civil Code art. 787 with art. 584, UCC 2-708(2)): the
/// supplier gets what full performance of the terminated part would have brought, less the cost
/// it saves by not finishing and what it recovers in salvage.
public enum ExpectationRegime {
    public static func amounts(_ lines: [TerminatedLine], settlement: ExactDecimal,
                               payments: ExactDecimal) -> LiabilityAmounts {
        var amounts = LiabilityAmounts()
        amounts.cap = CommonParts.cap(lines)
        amounts.saved = saved(lines)
        amounts.settlement = CommonParts.amount(settlement)
        amounts.credits = CommonParts.credits(lines)
        amounts.payments = CommonParts.amount(payments)
        // A loss-making order (cost saved above the price) owes the supplier nothing, never less.
        let expectation = ExactDecimal.max(.zero, amounts.cap - amounts.saved - amounts.credits)
        amounts.total = expectation + amounts.settlement - amounts.payments
        return amounts
    }

    /// E′ = round2(Σ E × ((w − rw) + (u − ru)) / (w + u)): the supplier's cost-to-complete
    /// estimate E covers all w + u unfinished units; only the share nobody continues is saved.
    public static func saved(_ lines: [TerminatedLine]) -> ExactDecimal {
        lines.sum { line in
            let unfinished = line.figures.inProgress + line.figures.notStarted
            guard !unfinished.isZero else { return .zero }
            let abandoned = line.abandonedInProgress + line.abandonedNotStarted
            return line.figures.costToComplete * abandoned / unfinished
        }.rounded(scale: 2)
    }
}
