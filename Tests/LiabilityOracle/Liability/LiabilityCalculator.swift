/// The liability of a revoked order (SPEC §8), as pure functions: the same input always gives
/// the same result, and nothing here touches the database.
public enum LiabilityCalculator {
    public static func compute(_ input: LiabilityInput) -> LiabilityResult {
        let lines = terminatedLines(input)
        let inProduction = !NotInProduction.applies(to: lines.map(\.figures))
        let amounts = inProduction
            ? regimeAmounts(input, lines)
            : NotInProduction.amounts(lines, payments: input.payments)
        return LiabilityResult(regime: input.regime, currency: input.currency, amounts: amounts,
                               inProduction: inProduction, lines: lines.map(LiabilityLineResult.init))
    }

    /// The order's lines in ascending line number, with the replacement's reuse applied.
    public static func terminatedLines(_ input: LiabilityInput) -> [TerminatedLine] {
        let figures = input.lines
            .map { LineFigures($0, acknowledged: input.acknowledged) }
            .sorted { $0.line < $1.line }
        let reuse = ReuseAllocation.allocate(lines: figures, replacement: input.replacement)
        return zip(figures, reuse).map { TerminatedLine(figures: $0, reuse: $1) }
    }

    static func regimeAmounts(_ input: LiabilityInput, _ lines: [TerminatedLine]) -> LiabilityAmounts {
        switch input.regime {
        case .cost:
            CostRegime.amounts(lines, profitRate: input.profitRate,
                               settlement: input.settlement, payments: input.payments)
        case .schedule:
            ScheduleRegime.amounts(lines, schedule: input.schedule, payments: input.payments)
        case .expectation:
            ExpectationRegime.amounts(lines, settlement: input.settlement, payments: input.payments)
        }
    }
}
