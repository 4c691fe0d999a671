import ArgumentParser
import Postgres
import ProcurementStore

struct ProductionCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "production", _superCommandName: "procure",
        abstract: "Record the supplier's production state of a line (stages: materials, production, finished).",
        discussion: "Examples:\n  procure production PO-1 1 --finished 40 --in-progress 20 --wip-cost 300 --materials 150\n  procure production PO-1 2 --stage materials --materials 80 --as-of 2026-11-27T09:30:00+08:00")

    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Line number (1-based).", valueName: "line")) var line: Int
    @Option(help: ArgumentHelp("Stage reached: materials, production or finished.", valueName: "stage")) var stage: String?
    @Option(help: ArgumentHelp("Finished units not yet delivered.", valueName: "qty")) var finished: DecimalText?
    @Option(help: ArgumentHelp("Units in progress.", valueName: "qty")) var inProgress: DecimalText?
    @Option(help: ArgumentHelp("Cost of the units in progress.", valueName: "amount")) var wipCost: DecimalText?
    @Option(help: ArgumentHelp("Materials bought for units not yet started.", valueName: "amount")) var materials: DecimalText?
    @Option(help: ArgumentHelp("What the supplier recovers by reselling or reusing goods and materials.", valueName: "amount"))
    var salvage: DecimalText?
    @Option(help: ArgumentHelp("What finishing the unfinished units would still cost.", valueName: "amount")) var costToComplete: DecimalText?
    @Option(help: ArgumentHelp("When this state held (ISO 8601 with a zone; default now, or the revocation for a revoked order).", valueName: "YYYY-MM-DDThh:mm:ssZ"))
    var asOf: TimeText?
    @Option(help: ArgumentHelp("A note with the report (required of an admin reporting for the supplier).", valueName: "text"))
    var note: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { database in
            let report = try database.production(
                number: number, line: line, stage: stage, finished: finished, inProgress: inProgress, wipCost: wipCost,
                materials: materials, salvage: salvage, costToComplete: costToComplete, asOf: asOf, note: note)
            // A counting report on a revoked order recomputed its open liability.
            guard report["recompute"] == .bool(true), let liability = report["liability"] else { return report }
            return report.adding("liability", liability)
        }
    }
}
