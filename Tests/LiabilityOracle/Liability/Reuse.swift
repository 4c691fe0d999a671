/// How many of one revoked line's units the replacement order takes over, per tier:
/// rf ≤ f finished, rw ≤ w in progress, ru ≤ u not started.
public struct Reuse: Sendable, Equatable {
    public var finished: ExactDecimal
    public var inProgress: ExactDecimal
    public var notStarted: ExactDecimal

    public static let zero = Reuse(finished: .zero, inProgress: .zero, notStarted: .zero)

    public init(finished: ExactDecimal, inProgress: ExactDecimal, notStarted: ExactDecimal) {
        self.finished = finished
        self.inProgress = inProgress
        self.notStarted = notStarted
    }

    public var total: ExactDecimal { finished + inProgress + notStarted }
}
