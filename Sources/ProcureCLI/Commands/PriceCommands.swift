import ArgumentParser
import Postgres
import ProcurementStore

struct PriceGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", abstract: "The supplier base price list, effective-dated.", subcommands: [PriceSet.self, PriceList.self])
}

struct PriceSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", _superCommandName: "procure", abstract: "Set a supplier's base price for an item over a period (inclusive dates).",
        discussion: "Examples:\n  procure price set S1 A 10 --from 2026-01-01\n  procure price set S1 A 12 --from 2026-06-01 --to 2026-06-30")

    @Argument(help: ArgumentHelp("Supplier code.", valueName: "supplier")) var supplier: String
    @Argument(help: ArgumentHelp("Item SKU.", valueName: "sku")) var sku: String
    @Argument(help: ArgumentHelp("Base unit price (up to 4 decimals).", valueName: "price")) var price: DecimalText
    @Option(help: ArgumentHelp("First day the price is in force (default today).", valueName: "YYYY-MM-DD")) var from: PostgresDate?
    @Option(help: ArgumentHelp("Last day the price is in force (default open-ended).", valueName: "YYYY-MM-DD")) var to: PostgresDate?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.priceSet(supplier: supplier, sku: sku, price: price, from: from, to: to) }
    }
}

struct PriceList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "A supplier's price list.", discussion: "Examples:\n  procure price list S1\n  procure price list S1 --on 2026-07-01")
    static let readsAhead = true

    @Argument(help: ArgumentHelp("Supplier code.", valueName: "supplier")) var supplier: String
    @Option(help: ArgumentHelp("Only prices in force on this day (default: every period).", valueName: "YYYY-MM-DD")) var on: PostgresDate?
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.priceList(supplier: supplier, on: on) }
    }
}
