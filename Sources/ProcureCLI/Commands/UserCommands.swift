import ArgumentParser
import Postgres
import ProcurementStore

struct UserGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Users (PostgreSQL roles) and buyer limits.", subcommands: [UserAdd.self])
}

struct UserAdd: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a user as a PostgreSQL role in its group.",
        discussion: "Examples:\n  procure user add alice --role buyer --max-order-total 50000 --max-discount 10\n  procure user add fiona --role finance")

    @Argument(help: "User (role) name.") var name: String
    @Option(help: "buyer, finance, admin or auditor.") var role: String
    @Option(help: "A buyer's largest order total at issue.") var maxOrderTotal: DecimalText?
    @Option(help: "A buyer's largest discount below base price, in percent.") var maxDiscount: DecimalText?
    @Option(help: "Make it a login role with this password (else NOLOGIN, used through --as).") var password: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.userAdd(name: name, role: role, maxOrderTotal: maxOrderTotal, maxDiscount: maxDiscount, password: password) }
    }
}
