import ArgumentParser
import Postgres
import ProcurementStore

struct CorrectCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct", _superCommandName: "procure",
        abstract: "Revoke an order with a coded reason, optionally issue its replacement, and compute the liability.",
        discussion: """
            Reasons: wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other.

            Examples:
              procure correct PO-1 --reason wrong-quantity --note "ordered 100, needed 60" --replace A:60
              procure correct PO-2 --reason duplicate --note "sent twice" --dry-run
            """)

    @Argument(help: ArgumentHelp("The order to revoke.", valueName: "order")) var number: String
    @Option(help: ArgumentHelp("Reason code (see below).", valueName: "reason")) var reason: String
    @Option(help: ArgumentHelp("Written explanation (required).", valueName: "text")) var note: String
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Replacement lines, up to the next flag.", valueName: "sku:qty[@price]…"))
    var replace: [LineSpec] = []
    @Option(help: ArgumentHelp("Supplier of the replacement (default: the revoked order's).", valueName: "code")) var supplier: String?
    @Option(help: ArgumentHelp("Settlement expenses the company bears on top of the liability.", valueName: "amount"))
    var settlement: DecimalText?
    @Option(name: .customLong("number"),
            help: ArgumentHelp("Number of the replacement (default: the revision N-Rk of the chain's first order N).", valueName: "number"))
    var replacementNumber: String?
    @Flag(help: "Compute and print the result, write nothing.") var dryRun = false
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let body = { (database: DatabaseClient) throws -> JSONValue in
            let liability = try database.correct(
                number: number, reason: reason, note: note,
                replacement: replace.isEmpty ? nil : replace.map(\.input),
                supplier: supplier, settlement: settlement, replacementNumber: replacementNumber)
            guard dryRun else { return liability.adding("dry_run", .bool(false)) }
            // Rolled back: the correction has no id, and the numbers shown are what a real
            // run would take now.
            throw DryRun(result: liability.removing("correction_id").adding("dry_run", .bool(true)))
        }
        // A dry run is rolled back after its call, so its COMMIT cannot travel with the call.
        return try dryRun ? context.transaction(body) : context.call(body)
    }
}
