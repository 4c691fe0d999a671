import ArgumentParser
import Foundation
import Postgres
import ProcurementStore

struct LiabilityGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liability", abstract: "Liabilities of revoked orders (finance).",
        subcommands: [LiabilityShow.self, LiabilityList.self, LiabilityAgree.self, LiabilitySettle.self])
}

struct LiabilityShow: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "The itemised liability of a revoked order.")
    @Argument(help: "The revoked order's number.") var number: String
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        LiabilityOutput.ordered(try context.transaction { try $0.liabilityShow(number) })
    }
}

struct LiabilityList: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List liabilities.")
    @Option(help: "Only this supplier.") var supplier: String?
    @Option(help: "Only this buyer.") var buyer: String?
    @Option(help: "open, agreed or settled.") var status: String?
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.liabilityList(supplier: supplier, buyer: buyer, status: status) }
    }
}

struct LiabilityAgree: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "agree", abstract: "Agree a liability with the supplier: its figures freeze.")
    @Argument(help: "The revoked order's number.") var number: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        LiabilityOutput.ordered(try context.transaction { try $0.liabilityAgree(number) })
    }
}

struct LiabilitySettle: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "settle", abstract: "Mark an agreed liability settled, with the payment reference.")
    @Argument(help: "The revoked order's number.") var number: String
    @Option(help: "Payment or voucher reference.") var ref: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        LiabilityOutput.ordered(try context.transaction { try $0.liabilitySettle(number: number, reference: ref) })
    }
}

/// How a liability prints: the figures in the order docs/liability.md gives them, then the rest.
enum LiabilityOutput {
    /// The figures first, in the documented order, then the rest.
    static let keyOrder = [
        "regime", "currency", "finished", "costs", "profit", "cap", "capped", "saved", "settlement",
        "credits", "payments", "total", "status", "scheduled", "in_production",
    ]

    /// jsonb keeps no key order, so a stored result comes back shuffled: the order is
    /// rebuilt here, and the same result always prints the same way.
    static func ordered(_ value: JSONValue) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        let known = keyOrder.compactMap { key in pairs.first { $0.0 == key } }
        let rest = pairs.filter { !keyOrder.contains($0.0) }.sorted { $0.0 < $1.0 }
        return .object(known + rest)
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
}
