/// Regime `schedule` (SPEC §8): the supplier's table says what percentage of the terminated value
/// is owed at each stage a line had reached.
public enum ScheduleRegime {
    public static func amounts(_ lines: [TerminatedLine], schedule: [String: ExactDecimal],
                               payments: ExactDecimal) -> LiabilityAmounts {
        var amounts = LiabilityAmounts()
        amounts.scheduled = scheduled(lines, schedule: schedule)
        amounts.cap = CommonParts.cap(lines)
        amounts.payments = CommonParts.amount(payments)
        amounts.total = amounts.scheduled - amounts.payments
        return amounts
    }

    /// round2(Σ pct(stage) / 100 × t × p).
    public static func scheduled(_ lines: [TerminatedLine], schedule: [String: ExactDecimal]) -> ExactDecimal {
        lines.sum { line in
            percent(line.figures.stage, in: schedule) * line.terminated * line.figures.price / ExactDecimal(100)
        }.rounded(scale: 2)
    }

    /// The table's percent for a stage; a stage missing from the table is 0 %.
    public static func percent(_ stage: Stage, in schedule: [String: ExactDecimal]) -> ExactDecimal {
        schedule[stage.rawValue] ?? .zero
    }
}
