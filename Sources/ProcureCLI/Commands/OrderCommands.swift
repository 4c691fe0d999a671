import ArgumentParser
import Postgres
import ProcurementStore

struct OrderGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "po", abstract: "Purchase orders.",
        subcommands: [
            OrderCreate.self, OrderIssue.self, OrderAcknowledge.self, OrderReceive.self, OrderPay.self,
            OrderPrice.self, OrderLineGroup.self, OrderShow.self, OrderDocument.self, OrderList.self, OrderClose.self, OrderDelete.self,
            OrderEdits.self,
        ])
}

struct OrderCreate: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", _superCommandName: "procure", abstract: "Create a draft order; a line is SKU:QTY[@PRICE] (price defaults to the base price).",
        discussion: "Examples:\n  procure po create S1 A:100 B:20@24.50 --as alice\n  procure po create S1 --number PO-7 --date 2026-03-01 --key batch-7 A:10")

    @Argument(help: ArgumentHelp("Supplier code.", valueName: "supplier")) var supplier: String
    @Argument(help: ArgumentHelp("Lines, SKU:QTY[@PRICE].", valueName: "sku:qty[@price]")) var lines: [LineSpec]
    @Option(help: ArgumentHelp("Order number (default: the next PO-nnnnnnnn).", valueName: "number")) var number: String?
    @Option(help: ArgumentHelp("Order date (default today); prices are checked against the list in force that day.", valueName: "YYYY-MM-DD"))
    var date: PostgresDate?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if lines.isEmpty { throw ValidationError("an order needs at least one line SKU:QTY[@PRICE]") }
    }

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.poCreate(supplier: supplier, number: number, date: date, lines: lines.map(\.input)) }
    }
}

/// A verb that takes just an order number and makes one call.
protocol OrderStep: ProcureCommand {
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { get }
    var number: String { get }
}

extension OrderStep {
    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0[keyPath: Self.step](number) }
    }
}

struct OrderIssue: OrderStep {
    static let configuration = CommandConfiguration(
        commandName: "issue", _superCommandName: "procure", abstract: "Issue a draft order to its supplier.",
        discussion: "Example:\n  procure po issue PO-1 --as alice")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poIssue }
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderAcknowledge: OrderStep {
    static let configuration = CommandConfiguration(
        commandName: "ack", _superCommandName: "procure", abstract: "Record that the supplier acknowledged the order.",
        discussion: "Example:\n  procure po ack PO-1 --as alice")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poAck }
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderClose: OrderStep {
    static let configuration = CommandConfiguration(
        commandName: "close", _superCommandName: "procure", abstract: "Close a delivered order.",
        discussion: "Example:\n  procure po close PO-1 --as alice")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poClose }
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderDelete: OrderStep {
    static let configuration = CommandConfiguration(
        commandName: "delete", _superCommandName: "procure", abstract: "Delete a draft order (issued orders are revoked with `correct`).",
        discussion: "Example:\n  procure po delete PO-1 --as alice")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poDelete }
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderShow: OrderStep {
    static let configuration = CommandConfiguration(
        commandName: "show", _superCommandName: "procure", abstract: "Show an order, its lines, payments and links.",
        discussion: "Examples:\n  procure po show PO-1\n  procure --format json po show PO-1 --as alice")
    static let readsAhead = true
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poShow }
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: ReadOptions
}

struct OrderReceive: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", _superCommandName: "procure", abstract: "Record a delivered and accepted quantity of a line.",
        discussion: "Example:\n  procure po receive PO-1 1 40 --as alice")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Line number (1-based).", valueName: "line")) var line: Int
    @Argument(help: ArgumentHelp("Quantity delivered and accepted.", valueName: "qty")) var quantity: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.poReceive(number: number, line: line, quantity: quantity) }
    }
}

struct OrderPay: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay", _superCommandName: "procure", abstract: "Record an advance payment on an order (finance).",
        discussion: "Example:\n  procure po pay PO-1 500.00 --as fiona")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Amount paid.", valueName: "amount")) var amount: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.poPay(number: number, amount: amount) }
    }
}

struct OrderPrice: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", _superCommandName: "procure", abstract: "Change a line's price: never above the base price, never below the buyer's limit.",
        discussion: "Example:\n  procure po price PO-1 2 23.75 --as alice")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Line number (1-based).", valueName: "line")) var line: Int
    @Argument(help: ArgumentHelp("New unit price (never above the base price).", valueName: "price")) var price: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        // A refused edit is recorded by the database itself, outliving the refusal's rollback.
        try context.call { try $0.poPrice(number: number, line: line, price: price) }
    }
}

struct OrderList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "List orders you may see.",
        discussion: "Examples:\n  procure po list --status issued --from 2026-01-01 --limit 20\n  procure po list --supplier S1 --buyer alice")
    static let readsAhead = true
    @Option(help: ArgumentHelp("Only this buyer's orders.", valueName: "user")) var buyer: String?
    @Option(help: ArgumentHelp("Only this supplier's orders.", valueName: "code")) var supplier: String?
    @Option(help: ArgumentHelp("Only orders in this status: draft, issued, acknowledged, in_production, delivered, closed or revoked.",
                               valueName: "status"))
    var status: String?
    @Option(help: ArgumentHelp("Only orders dated on or after this day.", valueName: "YYYY-MM-DD")) var from: PostgresDate?
    @Option(help: ArgumentHelp("Only orders dated on or before this day.", valueName: "YYYY-MM-DD")) var to: PostgresDate?
    @Option(help: ArgumentHelp("At most this many orders (the newest).", valueName: "n")) var limit: Int?
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let filter = OrderListFilter(buyer: buyer, supplier: supplier, status: status, from: from, to: to, limit: limit)
        return try context.call { try $0.poList(filter) }
    }
}

struct OrderEdits: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "edits", _superCommandName: "procure", abstract: "Every price edit of an order: who, when, old, new, base, and refused attempts.",
        discussion: "Example:\n  procure po edits PO-1")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        _ = try context.call { try $0.poShow(number) }   // not_found / permission_denied like every order verb
        return try context.call { try $0.priceEdits(order: number) }
    }
}

struct OrderLineGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "line", abstract: "Edit a draft's lines: add, set or remove one, with the price rules of `po create`.",
        subcommands: [OrderLineAdd.self, OrderLineSet.self, OrderLineRemove.self])
}

struct OrderLineAdd: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", _superCommandName: "procure", abstract: "Add a line to a draft, numbered after its last line.",
        discussion: """
            Examples:
              procure po line add PO-1 B:5          (at the base price)
              procure po line add PO-1 A:10@9.50
            """)
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("The line, SKU:QTY[@PRICE] (price defaults to the base price).", valueName: "sku:qty[@price]"))
    var line: LineSpec
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.poLineAdd(number: number, line: line.input) }
    }
}

struct OrderLineSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", _superCommandName: "procure", abstract: "Change a draft line's quantity, price or item (a new item without --price takes its base price).",
        discussion: """
            Examples:
              procure po line set PO-1 2 --qty 12
              procure po line set PO-1 1 --sku B --price 24.50
            """)
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Line number (1-based).", valueName: "line")) var line: Int
    @Option(help: ArgumentHelp("New quantity.", valueName: "qty")) var qty: DecimalText?
    @Option(help: ArgumentHelp("New unit price (never above the base price).", valueName: "price")) var price: DecimalText?
    @Option(help: ArgumentHelp("New item.", valueName: "sku")) var sku: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        // A refused price is recorded by the database itself, outliving the refusal's rollback.
        try context.call { try $0.poLineSet(number: number, line: line, quantity: qty, price: price, sku: sku) }
    }
}

struct OrderLineRemove: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", _superCommandName: "procure", abstract: "Remove a line from a draft (the other lines keep their numbers).",
        discussion: "Example:\n  procure po line remove PO-1 2")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("Line number (1-based).", valueName: "line")) var line: Int
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.poLineRemove(number: number, line: line) }
    }
}
