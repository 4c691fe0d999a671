/// The free, negotiated revocation (SPEC §8): when no line's counting report shows production
/// started, nothing was produced, so the supplier only returns the advance payments, whatever
/// the regime; settlement expenses do not count.
public enum NotInProduction {
    /// True when no line shows production started.
    public static func applies(to lines: [LineFigures]) -> Bool {
        !lines.contains { $0.showsProductionStarted }
    }

    /// total = −B; the cap K is still reported, every other part is 0.00.
    public static func amounts(_ lines: [TerminatedLine], payments: ExactDecimal) -> LiabilityAmounts {
        var amounts = LiabilityAmounts()
        amounts.cap = CommonParts.cap(lines)
        amounts.payments = CommonParts.amount(payments)
        amounts.total = -amounts.payments
        return amounts
    }
}
