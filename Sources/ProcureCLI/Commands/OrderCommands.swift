import ArgumentParser
import Postgres
import ProcurementStore

struct OrderGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "po", abstract: "Purchase orders.",
        subcommands: [
            OrderCreate.self, OrderIssue.self, OrderAcknowledge.self, OrderReceive.self, OrderPay.self,
            OrderPrice.self, OrderShow.self, OrderList.self, OrderClose.self, OrderDelete.self, OrderEdits.self,
        ])
}

struct OrderCreate: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a draft order; a line is SKU:QTY[@PRICE] (price defaults to the base price).")

    @Argument(help: "Supplier code.") var supplier: String
    @Argument(help: "Lines, SKU:QTY[@PRICE].") var lines: [LineSpec]
    @Option(help: "Order number (default: the next PO-nnnnnnnn).") var number: String?
    @Option(help: "Order date (default today); prices are checked against the list in force that day.") var date: PostgresDate?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if lines.isEmpty { throw ValidationError("an order needs at least one line SKU:QTY[@PRICE]") }
    }

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.poCreate(supplier: supplier, number: number, date: date, lines: lines.map(\.input)) }
    }
}

/// A verb that takes just an order number and makes one call.
protocol OrderStep: ProcureCommand {
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { get }
    var number: String { get }
}

extension OrderStep {
    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0[keyPath: Self.step](number) }
    }
}

struct OrderIssue: OrderStep {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Issue a draft order to its supplier.")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poIssue }
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderAcknowledge: OrderStep {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Record that the supplier acknowledged the order.")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poAck }
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderClose: OrderStep {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a delivered order.")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poClose }
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderDelete: OrderStep {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a draft order (issued orders are revoked with `correct`).")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poDelete }
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderShow: OrderStep {
    static let readsOnly = true
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an order, its lines, payments and links.")
    static var step: KeyPath<DatabaseClient, (String) throws -> JSONValue> { \.poShow }
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions
}

struct OrderReceive: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Record a delivered and accepted quantity of a line.")
    @Argument(help: "Order number.") var number: String
    @Argument(help: "Line number (1-based).") var line: Int
    @Argument(help: "Quantity delivered and accepted.") var quantity: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.poReceive(number: number, line: line, quantity: quantity) }
    }
}

struct OrderPay: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "Record an advance payment on an order (finance).")
    @Argument(help: "Order number.") var number: String
    @Argument(help: "Amount paid.") var amount: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.poPay(number: number, amount: amount) }
    }
}

struct OrderPrice: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", abstract: "Change a line's price: never above the base price, never below the buyer's limit.")
    @Argument(help: "Order number.") var number: String
    @Argument(help: "Line number (1-based).") var line: Int
    @Argument(help: "New unit price.") var price: DecimalText
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        // A refused edit is recorded by the database itself, outliving the refusal's rollback.
        try context.transaction { try $0.poPrice(number: number, line: line, price: price) }
    }
}

struct OrderList: ProcureCommand {
    static let readsOnly = true
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List orders you may see.")
    @Option(help: "Only this buyer's orders.") var buyer: String?
    @Option(help: "Only this supplier's orders.") var supplier: String?
    @Option(help: "Only orders in this status.") var status: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.poList(buyer: buyer, supplier: supplier, status: status) }
    }
}

struct OrderEdits: ProcureCommand {
    static let readsOnly = true
    static let configuration = CommandConfiguration(
        commandName: "edits", abstract: "Every price edit of an order: who, when, old, new, base, and refused attempts.")
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        _ = try context.transaction { try $0.poShow(number) }   // not_found / permission_denied like every order verb
        return try context.transaction { try $0.priceEdits(order: number) }
    }
}
