/// How far a line had progressed, in order. `issued` and `acknowledged` come from the order's own
/// state; `materials`, `production` and `finished` from the supplier's production reports.
public enum Stage: String, Sendable, Codable, CaseIterable, Comparable {
    case issued
    case acknowledged
    case materials
    case production
    case finished

    /// Position in the lifecycle: issued = 0 … finished = 4.
    public var order: Int { Stage.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.order < rhs.order }

    /// Whether a report at this stage says production had started (materials bought or later).
    public var isProductionStarted: Bool { self >= .materials }

    /// The stage of one line (SPEC §8, schedule regime): the report's own stage when it gives one;
    /// else `production` when something is finished or in progress, `materials` when only materials
    /// were bought; with no report (or an empty one) the order's own state decides.
    public static func of(report: ProductionReport?, acknowledged: Bool) -> Stage {
        if let stage = report?.stage { return stage }
        if let report {
            if report.finished > .zero || report.inProgress > .zero || report.wipCost > .zero {
                return .production
            }
            if report.materials > .zero { return .materials }
        }
        return acknowledged ? .acknowledged : .issued
    }
}
