/// The latest counting production report of one line: the supplier's own figures, as of a time at
/// or before the revocation. Every number may be absent (zero); `stage` may be absent (derived).
public struct ProductionReport: Sendable, Equatable, Codable {
    public var stage: Stage?
    /// f: finished units not yet delivered.
    public var finished: ExactDecimal
    /// w: units in progress.
    public var inProgress: ExactDecimal
    /// W: cost already spent on the in-progress units.
    public var wipCost: ExactDecimal
    /// M: materials bought for the units not yet started.
    public var materials: ExactDecimal
    /// V: what the supplier recovers by reselling or reusing goods and materials.
    public var salvage: ExactDecimal
    /// E: the supplier's estimate of what finishing the unfinished units would still have cost.
    public var costToComplete: ExactDecimal

    public init(stage: Stage? = nil, finished: ExactDecimal = .zero, inProgress: ExactDecimal = .zero,
                wipCost: ExactDecimal = .zero, materials: ExactDecimal = .zero,
                salvage: ExactDecimal = .zero, costToComplete: ExactDecimal = .zero) {
        self.stage = stage
        self.finished = finished
        self.inProgress = inProgress
        self.wipCost = wipCost
        self.materials = materials
        self.salvage = salvage
        self.costToComplete = costToComplete
    }

    /// Production had started: a stage of `materials` or later, or any of f, w, W, M above zero.
    /// Salvage or a cost estimate alone does not count: nothing was made or bought.
    public var showsProductionStarted: Bool {
        if stage?.isProductionStarted == true { return true }
        return [finished, inProgress, wipCost, materials].contains { $0 > .zero }
    }

    enum CodingKeys: String, CodingKey {
        case stage, finished, materials, salvage
        case inProgress = "in_progress"
        case wipCost = "wip_cost"
        case costToComplete = "cost_to_complete"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            stage: try c.decodeIfPresent(Stage.self, forKey: .stage),
            finished: try c.decimalOrZero(.finished),
            inProgress: try c.decimalOrZero(.inProgress),
            wipCost: try c.decimalOrZero(.wipCost),
            materials: try c.decimalOrZero(.materials),
            salvage: try c.decimalOrZero(.salvage),
            costToComplete: try c.decimalOrZero(.costToComplete))
    }
}
