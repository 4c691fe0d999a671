import ArgumentParser
import Foundation
import Postgres
import ProcurementStore

struct LiabilityGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liability", abstract: "Liabilities of revoked orders (finance).",
        subcommands: [LiabilityShow.self, LiabilityList.self, LiabilityAgree.self, LiabilityDispute.self, LiabilitySettle.self])
}

struct LiabilityShow: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", _superCommandName: "procure", abstract: "The itemised liability of a revoked order.", discussion: "Example:\n  procure liability show PO-1")
    static let readsAhead = true
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.liabilityShow(number) }
    }
}

struct LiabilityList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "List liabilities.", discussion: "Examples:\n  procure liability list --status open\n  procure liability list --supplier S1")
    static let readsAhead = true
    @Option(help: ArgumentHelp("Only this supplier.", valueName: "code")) var supplier: String?
    @Option(help: ArgumentHelp("Only this buyer's orders.", valueName: "user")) var buyer: String?
    @Option(help: ArgumentHelp("Only liabilities in this state: open, claimed, agreed or settled.", valueName: "status")) var status: String?
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.liabilityList(supplier: supplier, buyer: buyer, status: status) }
    }
}

struct LiabilityAgree: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "agree", _superCommandName: "procure", abstract: "Agree a liability with the supplier: its figures freeze.", discussion: "Example:\n  procure liability agree PO-1 --as fiona")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.liabilityAgree(number) }
    }
}

struct LiabilitySettle: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle", _superCommandName: "procure", abstract: "Mark an agreed liability settled, with the payment reference.",
        discussion: "Example:\n  procure liability settle PO-1 --ref BANK-2026-0042 --as fiona")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @Option(help: ArgumentHelp("Payment or voucher reference.", valueName: "reference")) var ref: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.liabilitySettle(number: number, reference: ref) }
    }
}

extension JSONValue {
    /// This object with another object's keys added (the other wins on a clash).
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(let mine) = self, case .object(let theirs) = other else { return self }
        return .object(mine.filter { pair in !theirs.contains { $0.0 == pair.0 } } + theirs)
    }

    func adding(_ key: String, _ value: JSONValue) -> JSONValue {
        merging(.object([(key, value)]))
    }

    func removing(_ key: String) -> JSONValue {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { $0.0 != key })
    }
}
