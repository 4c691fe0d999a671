import ArgumentParser
import Postgres
import ProcurementStore

struct UserGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Users (PostgreSQL roles) and buyer limits.",
        subcommands: [UserAdd.self, UserSet.self, UserList.self])
}

struct UserAdd: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", _superCommandName: "procure", abstract: "Add a user as a PostgreSQL role in its group (a name is added once; its role never changes).",
        discussion: "Examples:\n  procure user add alice --role buyer --max-order-total 50000 --max-discount 10\n  procure user add fiona --role finance\n  procure user add sally --role supplier --supplier S1")

    @Argument(help: ArgumentHelp("User (role) name.", valueName: "user")) var name: String
    @Option(help: ArgumentHelp("buyer, finance, admin, auditor or supplier.", valueName: "role")) var role: String
    @Option(help: ArgumentHelp("The supplier a supplier user belongs to.", valueName: "code")) var supplier: String?
    @Option(help: "A buyer's largest order total at issue.") var maxOrderTotal: DecimalText?
    @Option(help: "A buyer's largest discount below base price, in percent.") var maxDiscount: DecimalText?
    @Option(help: "Make it a login role with this password (else NOLOGIN, used through --as).") var password: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.userAdd(name: name, role: role, maxOrderTotal: maxOrderTotal, maxDiscount: maxDiscount, password: password, supplier: supplier) }
    }
}

struct UserSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", _superCommandName: "procure", abstract: "Change a user's limits, or whether it may act at all (admins).",
        discussion: "Examples:\n  procure user set alice --max-order-total 80000\n  procure user set alice --max-discount none\n  procure user set bob --active false")

    @Argument(help: "User (role) name.") var name: String
    @Option(help: ArgumentHelp("A buyer's largest order total at issue, or none.", valueName: "amount|none"))
    var maxOrderTotal: LimitSetting?
    @Option(help: ArgumentHelp("A buyer's largest discount below base price in percent, or none.", valueName: "percent|none"))
    var maxDiscount: LimitSetting?
    @Option(help: ArgumentHelp("false: the user can no longer read, write or log in; true: it can again.", valueName: "true|false"))
    var active: Bool?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.userSet(name: name, maxOrderTotal: maxOrderTotal, maxDiscount: maxDiscount, active: active) }
    }
}

struct UserList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "The users you may see, with their roles and limits.",
        discussion: "Examples:\n  procure user list\n  procure --format csv user list")
    static let readsAhead = true
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.userList() }
    }
}

extension LimitSetting: ExpressibleByArgument {
    public init?(argument: String) {
        if argument == "none" {
            self = .none
        } else if let decimal = DecimalText(argument) {
            self = .value(decimal)
        } else {
            return nil
        }
    }
}
