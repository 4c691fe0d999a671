import ArgumentParser
import Postgres
import ProcurementStore

struct HistoryCommand: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "An order's full audit trail: who, when, what, old → new.")
    @Argument(help: "Order number.") var number: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call("history", [number])
    }
}

struct AuditGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The append-only audit log.", subcommands: [AuditVerify.self])
}

struct AuditVerify: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Recompute every hash chain of the audit log and name the first bad row.")
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let result = try context.call("audit_verify", [])
        if result["ok"] == .bool(false) {
            let bad = result["first_bad"].map { TableRenderer.cell($0) } ?? "?"
            throw ProcureError(.invalidState, "audit chain broken at \(bad)")
        }
        return result
    }
}

struct NoteCommand: ProcureCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a progress note to an order's correction case.")
    @Argument(help: "Order number.") var number: String
    @Argument(help: "The note.") var text: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call("note_add", [number, text])
    }
}
