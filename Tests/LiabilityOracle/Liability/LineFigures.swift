/// One revoked line's numbers in the letters of SPEC §8, with every absent number read as zero.
public struct LineFigures: Sendable, Equatable {
    public let line: Int
    public let sku: String
    /// p, q, d: unit price, ordered, delivered.
    public let price: ExactDecimal
    public let ordered: ExactDecimal
    public let delivered: ExactDecimal
    /// f, w, W, M, V, E from the line's counting report.
    public let finished: ExactDecimal
    public let inProgress: ExactDecimal
    public let wipCost: ExactDecimal
    public let materials: ExactDecimal
    public let salvage: ExactDecimal
    public let costToComplete: ExactDecimal
    /// u = q − d − f − w, never below zero: a report may claim more finished and in-progress
    /// units than remain open, and a negative "not started" count would make no sense.
    public let notStarted: ExactDecimal
    public let stage: Stage
    /// Whether this line's report shows production started (see `ProductionReport`).
    public let showsProductionStarted: Bool

    public init(_ input: LiabilityLine, acknowledged: Bool) {
        let report = input.report ?? ProductionReport()
        line = input.line
        sku = input.sku
        price = input.price
        ordered = input.ordered
        delivered = input.delivered
        finished = report.finished
        inProgress = report.inProgress
        wipCost = report.wipCost
        materials = report.materials
        salvage = report.salvage
        costToComplete = report.costToComplete
        notStarted = .max(.zero, input.ordered - input.delivered - report.finished - report.inProgress)
        stage = Stage.of(report: input.report, acknowledged: acknowledged)
        showsProductionStarted = report.showsProductionStarted
    }
}
