import ArgumentParser
import Postgres
import ProcurementStore

struct ProductionCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "production",
        abstract: "Record the supplier's production state of a line (stages: materials, production, finished).")

    @Argument(help: "Order number.") var number: String
    @Argument(help: "Line number (1-based).") var line: Int
    @Option(help: "Stage reached: materials, production or finished.") var stage: String?
    @Option(help: "Finished units not yet delivered.") var finished: DecimalText?
    @Option(help: "Units in progress.") var inProgress: DecimalText?
    @Option(help: "Cost of the units in progress.") var wipCost: DecimalText?
    @Option(help: "Materials bought for units not yet started.") var materials: DecimalText?
    @Option(help: "What the supplier recovers by reselling or reusing goods and materials.") var salvage: DecimalText?
    @Option(help: "What finishing the unfinished units would still cost.") var costToComplete: DecimalText?
    @Option(help: "When this state held (ISO 8601 with zone; default now, or the revocation for a revoked order).") var asOf: TimeText?
    @Option(help: "A note with the report (required of an admin reporting for the supplier).") var note: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { database in
            let report = try database.production(
                number: number, line: line, stage: stage, finished: finished, inProgress: inProgress, wipCost: wipCost,
                materials: materials, salvage: salvage, costToComplete: costToComplete, asOf: asOf, note: note)
            // A counting report on a revoked order recomputed its open liability.
            guard report["recompute"] == .bool(true), let liability = report["liability"] else { return report }
            return report.adding("liability", liability)
        }
    }
}
