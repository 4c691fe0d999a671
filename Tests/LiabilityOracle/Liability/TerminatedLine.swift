/// A revoked line after reuse: its figures, what the replacement took over, and what is left
/// terminated. The regimes work on these.
public struct TerminatedLine: Sendable, Equatable {
    public let figures: LineFigures
    public let reuse: Reuse
    /// t = q − d − rf − rw − ru, never below zero (an over-delivered line terminates nothing).
    public let terminated: ExactDecimal

    public init(figures: LineFigures, reuse: Reuse) {
        self.figures = figures
        self.reuse = reuse
        self.terminated = .max(.zero, figures.ordered - figures.delivered - reuse.total)
    }

    /// w − rw: in-progress units nobody continues.
    public var abandonedInProgress: ExactDecimal { figures.inProgress - reuse.inProgress }

    /// u − ru: not-started units nobody continues.
    public var abandonedNotStarted: ExactDecimal { figures.notStarted - reuse.notStarted }
}
