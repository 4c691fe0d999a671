/// One line of a liability: its stage, what the replacement took over per tier, and what is
/// terminated. Counts encode as plain decimal strings without trailing zeros ("40", "2.5").
public struct LiabilityLineResult: Sendable, Equatable, Codable {
    public var line: Int
    public var sku: String
    public var stage: Stage
    public var reusedFinished: ExactDecimal
    public var reusedInProgress: ExactDecimal
    public var reusedNotStarted: ExactDecimal
    public var terminated: ExactDecimal

    public init(line: Int, sku: String, stage: Stage, reusedFinished: ExactDecimal,
                reusedInProgress: ExactDecimal, reusedNotStarted: ExactDecimal, terminated: ExactDecimal) {
        self.line = line
        self.sku = sku
        self.stage = stage
        self.reusedFinished = reusedFinished
        self.reusedInProgress = reusedInProgress
        self.reusedNotStarted = reusedNotStarted
        self.terminated = terminated
    }

    public init(_ line: TerminatedLine) {
        self.init(line: line.figures.line, sku: line.figures.sku, stage: line.figures.stage,
                  reusedFinished: line.reuse.finished, reusedInProgress: line.reuse.inProgress,
                  reusedNotStarted: line.reuse.notStarted, terminated: line.terminated)
    }

    // ExactDecimal's own encoding is already the normalised plain text, so the synthesised
    // coding only needs the snake_case names.
    enum CodingKeys: String, CodingKey {
        case line, sku, stage, terminated
        case reusedFinished = "reused_finished"
        case reusedInProgress = "reused_in_progress"
        case reusedNotStarted = "reused_not_started"
    }
}
