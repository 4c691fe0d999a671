import ArgumentParser
import Postgres
import ProcurementStore

struct ItemGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "item", abstract: "Items (SKUs).", subcommands: [ItemAdd.self])
}

struct ItemAdd: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an item.")

    @Argument(help: "Stock keeping unit.") var sku: String
    @Option(help: "Item name.") var name: String
    @Option(help: "Unit of measure.") var uom: String = "pcs"
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.itemAdd(sku: sku, name: name, uom: uom) }
    }
}
