import ArgumentParser
import Postgres
import ProcurementStore

struct SupplierGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supplier", abstract: "Suppliers and their cancellation terms.", subcommands: [SupplierAdd.self])
}

struct SupplierAdd: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a supplier and its cancellation terms.")

    @Argument(help: "Supplier code.") var code: String
    @Option(help: "Supplier name.") var name: String
    @Option(help: "Currency of its prices.") var currency: String = "CNY"
    @Option(help: "Liability regime: cost, schedule or expectation.") var regime: String = "cost"
    @Option(help: "Profit rate on work done, in percent (cost regime).") var profitRate: DecimalText?
    @Option(help: "Stage percentages, e.g. \"acknowledged=5,materials=25,production=50,finished=100\" (schedule regime).")
    var schedule: String?
    @Option(help: "Days after a revocation during which the supplier may still report production.") var claimDays: Int = 15
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let table = try schedule.map { try StageSchedule.parse($0) }
        return try context.transaction {
            try $0.supplierAdd(code: code, name: name, currency: currency, regime: regime, profitRate: profitRate,
                               schedule: table, claimDays: claimDays)
        }
    }
}

/// `acknowledged=5,materials=25,…` as a JSON object of stage → percent (checked by the database).
enum StageSchedule {
    static func parse(_ text: String) throws -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, DecimalGrammar.accepts(parts[1]) else {
                throw CLIError.usage("--schedule: \(entry.debugDescription) is not STAGE=PERCENT")
            }
            pairs.append((parts[0], .string(parts[1])))
        }
        return .object(pairs)
    }
}
