import ArgumentParser
import Postgres
import ProcurementStore

struct CorrectCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Revoke an order with a coded reason, optionally issue its replacement, and compute the liability.",
        discussion: "Reasons: wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other.")

    @Argument(help: "The order to revoke.") var number: String
    @Option(help: "Reason code.") var reason: String
    @Option(help: "Written explanation (required).") var note: String
    @Option(parsing: .upToNextOption, help: "Replacement lines, SKU:QTY[@PRICE].") var replace: [LineSpec] = []
    @Option(help: "Supplier of the replacement (default: the revoked order's).") var supplier: String?
    @Option(help: "Settlement expenses the company bears on top of the liability.") var settlement: DecimalText?
    @Option(name: .customLong("number"), help: "Number of the replacement (default: the revision N-Rk of the chain's first order N).")
    var replacementNumber: String?
    @Flag(help: "Compute and print the result, write nothing.") var dryRun = false
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { database in
            let liability = try database.correct(
                number: number, reason: reason, note: note,
                replacement: replace.isEmpty ? nil : replace.map(\.input),
                supplier: supplier, settlement: settlement, replacementNumber: replacementNumber)
            guard dryRun else { return liability.adding("dry_run", .bool(false)) }
            // Rolled back: the correction has no id, and the numbers shown are what a real
            // run would take now.
            throw DryRun(result: liability.removing("correction_id").adding("dry_run", .bool(true)))
        }
    }
}
