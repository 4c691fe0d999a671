import ArgumentParser
import Postgres
import ProcurementStore

struct SupplierGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supplier", abstract: "Suppliers and their cancellation terms.",
        subcommands: [SupplierAdd.self, SupplierSet.self, SupplierList.self])
}

/// The cancellation terms `supplier add` sets and `supplier set` changes; an option left out is
/// the default (add) or stays as it is (set).
struct SupplierTermOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Currency of its prices, a 3-letter ISO code (new suppliers: CNY).", valueName: "code"))
    var currency: String?
    @Option(help: ArgumentHelp("Liability regime: cost, schedule or expectation (new suppliers: cost).", valueName: "regime"))
    var regime: String?
    @Option(help: ArgumentHelp("Profit rate on work done, in percent (cost regime; new suppliers: 0).", valueName: "pct"))
    var profitRate: DecimalText?
    @Option(help: ArgumentHelp("Stage percentages, e.g. \"acknowledged=5,materials=25,production=50,finished=100\" (schedule regime).",
                               valueName: "stage=pct,…"))
    var schedule: String?
    @Option(help: ArgumentHelp("Days after a revocation in which the supplier may claim (new suppliers: 15).", valueName: "days"))
    var claimDays: Int?
    @Option(help: ArgumentHelp("Days finance has to answer a claim before it counts as agreed (new suppliers: 15).", valueName: "days"))
    var reviewDays: Int?

    func terms(code: String, name: String?) throws -> SupplierTerms {
        SupplierTerms(code: code, name: name, currency: currency, regime: regime, profitRate: profitRate,
                      schedule: try schedule.map { try StageSchedule.parse($0) }, claimDays: claimDays, reviewDays: reviewDays)
    }
}

struct SupplierAdd: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", _superCommandName: "procure", abstract: "Add a supplier and its cancellation terms.",
        discussion: """
            Examples:
              procure supplier add S1 --name "Acme Metals" --profit-rate 10
              procure supplier add S2 --name "Beta Parts" --regime schedule --schedule "acknowledged=5,materials=25,production=50,finished=100"
            """)

    @Argument(help: ArgumentHelp("Supplier code (no blanks).", valueName: "code")) var code: String
    @Option(help: ArgumentHelp("Supplier name.", valueName: "name")) var name: String
    @OptionGroup var terms: SupplierTermOptions
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let terms = try terms.terms(code: code, name: name)
        return try context.call { try $0.supplierAdd(terms) }
    }
}

struct SupplierSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", _superCommandName: "procure", abstract: "Change a supplier's name or cancellation terms; options left out stay as they are.",
        discussion: """
            Examples:
              procure supplier set S1 --claim-days 30 --review-days 10
              procure supplier set S1 --name "Acme Metals Ltd" --profit-rate 12.5
            """)

    @Argument(help: ArgumentHelp("Supplier code.", valueName: "code")) var code: String
    @Option(help: ArgumentHelp("New supplier name.", valueName: "name")) var name: String?
    @OptionGroup var terms: SupplierTermOptions
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let terms = try terms.terms(code: code, name: name)
        return try context.call { try $0.supplierSet(terms) }
    }
}

struct SupplierList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "Every supplier with its terms, by code.",
        discussion: "Example:\n  procure supplier list")
    static let readsAhead = true
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.supplierList() }
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
