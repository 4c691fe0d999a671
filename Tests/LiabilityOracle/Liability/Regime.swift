/// How a supplier's cancellation terms turn production done into a liability (SPEC §8).
public enum Regime: String, Sendable, Codable, CaseIterable {
    /// Finished goods at the order price, plus costs incurred and a profit on them, capped.
    case cost
    /// A percentage of the terminated value, by the stage each line had reached.
    case schedule
    /// The supplier's expected income on the terminated part, less the cost it saves by stopping.
    case expectation
}
