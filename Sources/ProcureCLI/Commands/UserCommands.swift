import ArgumentParser
import Postgres
import ProcurementStore

struct UserGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Users (PostgreSQL roles) and buyer limits.", subcommands: [UserAdd.self])
}

struct UserAdd: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user as a PostgreSQL role in its group.")

    @Argument(help: "User (role) name.") var name: String
    @Option(help: "buyer, finance, admin, auditor or supplier.") var role: String
    @Option(help: "The supplier a supplier user belongs to (its code).") var supplier: String?
    @Option(help: "A buyer's largest order total at issue.") var maxOrderTotal: DecimalText?
    @Option(help: "A buyer's largest discount below base price, in percent.") var maxDiscount: DecimalText?
    @Option(help: "Make it a login role with this password (else NOLOGIN, used through --as).") var password: String?
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.userAdd(name: name, role: role, maxOrderTotal: maxOrderTotal, maxDiscount: maxDiscount, password: password, supplier: supplier) }
    }
}
