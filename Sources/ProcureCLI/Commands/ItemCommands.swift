import ArgumentParser
import Postgres
import ProcurementStore

struct ItemGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "item", abstract: "Items (SKUs).", subcommands: [ItemAdd.self, ItemList.self])
}

struct ItemAdd: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", _superCommandName: "procure", abstract: "Add an item.",
        discussion: "Example:\n  procure item add A --name Bolt --uom pcs")

    @Argument(help: ArgumentHelp("Stock keeping unit (no blanks, `:` or `@`).", valueName: "sku")) var sku: String
    @Option(help: ArgumentHelp("Item name.", valueName: "name")) var name: String
    @Option(help: ArgumentHelp("Unit of measure.", valueName: "unit")) var uom: String = "pcs"
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.itemAdd(sku: sku, name: name, uom: uom) }
    }
}

struct ItemList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "Every item, by SKU.", discussion: "Example:\n  procure item list")
    static let readsAhead = true
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.itemList() }
    }
}
