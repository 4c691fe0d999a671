/// Figures more than one regime uses, each rounded to 2 decimals (SPEC §2: amounts carry 2
/// decimals, rounded half away from zero, before they are combined).
public enum CommonParts {
    /// K = round2(Σ t × p): the price of the terminated part.
    public static func cap(_ lines: [TerminatedLine]) -> ExactDecimal {
        lines.sum { $0.terminated * $0.figures.price }.rounded(scale: 2)
    }

    /// V = round2(Σ V): the supplier's salvage credits over all lines.
    public static func credits(_ lines: [TerminatedLine]) -> ExactDecimal {
        lines.sum { $0.figures.salvage }.rounded(scale: 2)
    }

    /// An amount given as input (S, B), held to cents like every other part.
    public static func amount(_ value: ExactDecimal) -> ExactDecimal {
        value.rounded(scale: 2)
    }
}
