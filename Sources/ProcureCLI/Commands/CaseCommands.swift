import ArgumentParser
import Postgres
import ProcurementStore

struct ClaimGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim", abstract: "The supplier's claim on a revoked order.", subcommands: [ClaimSubmit.self])
}

struct ClaimSubmit: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", _superCommandName: "procure",
        abstract: "Declare the claim final (a user of the order's supplier): what is on record is the claim.",
        discussion: "Examples:\n  procure claim submit PO-1 --as sally\n  procure claim submit PO-1 --note \"30 finished, 20 in progress\" --as sally")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @Option(help: ArgumentHelp("What the supplier says with its claim.", valueName: "text")) var note: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.claimSubmit(number: number, note: note) }
    }
}

struct LiabilityDispute: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispute", _superCommandName: "procure",
        abstract: "Send a claimed liability back to the supplier (finance): open again, with a new claim window.",
        discussion: "Examples:\n  procure liability dispute PO-1 --note \"the salvage looks low\" --as fiona")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @Option(help: ArgumentHelp("Why (required).", valueName: "text")) var note: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.liabilityDispute(number: number, note: note) }
    }
}

struct CaseGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "The register of correction cases.", subcommands: [CaseList.self])
}

struct CaseList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure",
        abstract: "Cases not yet settled, soonest deadline first: state, next deadline, days left, liability, last note.",
        discussion: "Examples:\n  procure case list\n  procure case list --supplier S1 --all")
    static let readsAhead = true
    @Option(help: ArgumentHelp("Only cases in this state: open, claimed, agreed or settled.", valueName: "state")) var state: String?
    @Option(help: ArgumentHelp("Only this supplier.", valueName: "code")) var supplier: String?
    @Option(help: ArgumentHelp("Only this buyer's orders.", valueName: "user")) var buyer: String?
    @Flag(help: "Settled cases too.") var all = false
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.caseList(state: state, supplier: supplier, buyer: buyer, all: all) }
    }
}
