import ArgumentParser
import Postgres
import ProcurementStore

struct PriceGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", abstract: "The supplier base price list, effective-dated.", subcommands: [PriceSet.self, PriceList.self])
}

struct PriceSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a supplier's base price for an item over a period (inclusive dates).")

    @Argument(help: "Supplier code.") var supplier: String
    @Argument(help: "Item SKU.") var sku: String
    @Argument(help: "Base unit price (up to 4 decimals).") var price: DecimalText
    @Option(help: "First day the price is in force (default today).") var from: PostgresDate?
    @Option(help: "Last day the price is in force (default open-ended).") var to: PostgresDate?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.priceSet(supplier: supplier, sku: sku, price: price, from: from, to: to) }
    }
}

struct PriceList: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A supplier's price list.")

    @Argument(help: "Supplier code.") var supplier: String
    @Option(help: "Only prices in force on this day (default: every period).") var on: PostgresDate?
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.priceList(supplier: supplier, on: on) }
    }
}
